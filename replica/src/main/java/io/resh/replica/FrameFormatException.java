package io.resh.replica;

import java.io.IOException;

/** Bytes on an IPC channel that are not a valid frame. The message says what was wrong and where. */
public final class FrameFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public FrameFormatException(String message) {
        super(message);
    }
}
