package io.resh.exec;

/**
 * The exit codes {@code resh exec} uses for itself. Every other code is the replicas' voted exit
 * code. A program may exit with one of these codes too; resh then prints no "resh exec:" verdict
 * line and the report's {@code verdict} is {@code agreed}, which tells the two apart.
 */
public final class ExitCodes {
    /** Too few replicas finished within {@code --timeout} to form a majority. */
    public static final int TIMED_OUT = 124;
    /** The replicas disagreed and no majority exists (with N = 2: any mismatch). */
    public static final int NO_MAJORITY = 125;
    /**
     * The replicas could not be set up: bubblewrap or taskset missing, a work directory failed, the input to give
     * them could not be read; or they could not be given one input: the stdin file changed while they ran and they
     * disagreed.
     */
    public static final int SETUP_FAILED = 126;
    /** The command was not found. */
    public static final int NOT_FOUND = 127;
    /**
     * resh could not deliver the voted result: its own stdout or stderr was closed (e.g. piped into {@code head}) or
     * could not be written, and the replicas were stopped; or they agreed, but a voted {@code --output} file could
     * not be placed.
     */
    public static final int OUTPUT_CLOSED = 141;
    /** Invalid options (the usual command-line usage error code). */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
