package io.resh.campaign;
