package io.resh.client;

/** The server answered with an error status; {@link #status()} says which (see {@link ClientProtocol}). */
public final class ReshRemoteException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final byte status;

    public ReshRemoteException(byte status, String message) {
        super(ClientProtocol.statusName(status) + ": " + message);
        this.status = status;
    }

    public byte status() {
        return status;
    }
}
