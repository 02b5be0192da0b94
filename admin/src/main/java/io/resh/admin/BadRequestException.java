package io.resh.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A client error the admin API answers with a 4xx status and this message. */
final class BadRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient HttpResponseStatus status;

    BadRequestException(String message) {
        this(HttpResponseStatus.BAD_REQUEST, message);
    }

    BadRequestException(HttpResponseStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    HttpResponseStatus status() {
        return status;
    }
}
