package io.resh.admin;
