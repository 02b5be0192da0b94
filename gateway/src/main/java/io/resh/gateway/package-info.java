package io.resh.gateway;
