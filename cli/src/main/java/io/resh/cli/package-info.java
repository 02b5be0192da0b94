package io.resh.cli;
