package io.resh.examples;
