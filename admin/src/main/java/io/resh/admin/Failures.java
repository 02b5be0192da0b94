package io.resh.admin;

/** Which failures of a route or a status poll the admin server answers for and outlives. */
final class Failures {
    private Failures() {
    }

    /**
     * Rethrows {@code t} when nothing can be trusted to go on after it: out of memory, an internal error of the
     * JVM. A stack overflow is not one of them: the stack has unwound by the time it is caught, as for an
     * {@link AssertionError} or any other bug.
     */
    static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError fatal && !(t instanceof StackOverflowError)) {
            throw fatal;
        }
    }

    /** The first line of {@code text}: a log line and a client's error stay one line. */
    static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }
}
