package io.resh.bench;
