package io.resh.client;

/** The server answered with an error status; {@link #status()} says which (see {@link ClientProtocol}). */
public final class ReshRemoteException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final byte status;

    public ReshRemoteException(byte status, String message) {
        super(message(ClientProtocol.statusName(status), message));
        this.status = status;
    }

    /** The status, then the server's message, unless that already starts with it ("fail-stop at request #2: ..."). */
    private static String message(String status, String message) {
        return message != null && message.startsWith(status) ? message : status + ": " + message;
    }

    public byte status() {
        return status;
    }
}
