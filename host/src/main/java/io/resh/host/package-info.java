package io.resh.host;
