package io.resh.exec;
