package io.resh.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What {@code resh exec} says when a signal (Ctrl-C, SIGTERM, a hang-up) ends the JVM while it runs: the JVM's
 * own exit then ends resh with 128 + the signal, and the run's shutdown hook kills the replicas, but nothing
 * would say so, and the report would race the JVM's halt.
 *
 * <p>The signal is only noted on its way to the JVM's own handler, which still ends the JVM; a signal that was
 * ignored when resh started ({@code nohup}) stays ignored. The shutdown hook waits (a bounded time) for the run
 * to finish its report, then prints the last line. A report not yet begun by then is never begun: the JVM may
 * halt at any moment after the hook returns, and a half-written report is worse than none.
 */
final class ExecInterruption {
    /** The signals the JVM ends itself on; SIGQUIT prints a thread dump instead. */
    private static final List<String> SIGNALS = List.of("INT", "TERM", "HUP");
    /** As long as a killed replica's readers get to drain its pipes: the run is over by then, or stuck. */
    private static final long WAIT_FOR_REPORT_SECONDS = 5;

    private final Consumer<String> say;
    private final Path report;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private final Thread hook = new Thread(this::onExit, "resh-exec-interrupted");
    private volatile Signal caught;
    private volatile boolean started;
    private boolean tooLate;
    private boolean reportWritten;

    /** {@code report} is the --report file, or null. */
    ExecInterruption(Consumer<String> say, Path report) {
        this.say = say;
        this.report = report;
    }

    /** Writes a report; the file system's error is the writer's to tell. */
    interface ReportWriter {
        void write() throws IOException;
    }

    /** Notes the signals that end the JVM, and says why resh ended if one does before {@link #close}. */
    ExecInterruption open() {
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                SignalHandler old = Signal.handle(signal, s -> {
                    caught = s;
                    previousOf(s).handle(s);
                });
                if (old == SignalHandler.SIG_IGN || old == SignalHandler.SIG_DFL) {
                    // Ignored (nohup), or no Java handler to pass it on to (-Xrs): left as it was.
                    Signal.handle(signal, old);
                } else {
                    signals.add(signal);
                    previous.add(old);
                }
            } catch (IllegalArgumentException e) {
                // The JVM reserves this signal here (-Xrs); it then does not end resh through the hooks either.
            }
        }
        Runtime.getRuntime().addShutdownHook(hook);
        return this;
    }

    private SignalHandler previousOf(Signal s) {
        for (int i = 0; i < signals.size(); i++) {
            if (signals.get(i).getNumber() == s.getNumber()) {
                return previous.get(i);
            }
        }
        return SignalHandler.SIG_DFL;
    }

    /** The replicas are about to start: from now on an interruption kills them. */
    void started() {
        started = true;
    }

    /** The signal that began the JVM's exit, or null while it is not exiting (or exits for another reason). */
    Signal signal() {
        return caught;
    }

    /** True once the JVM has begun to exit: the run's result is an interrupted one. */
    boolean interrupted() {
        return caught != null || Resh.shuttingDown();
    }

    /**
     * Writes the report with {@code writer} unless the shutdown hook gave up waiting already.
     *
     * @return false if it was too late to begin
     */
    synchronized boolean writeReport(ReportWriter writer) throws IOException {
        if (tooLate) {
            return false;
        }
        writer.write();
        reportWritten = true;
        return true;
    }

    /** The run and its report are done: the hook, if running, may print its line now. */
    void finished() {
        finished.countDown();
    }

    /** Stops listening once the run is over (the JVM did not exit during it). */
    void close() {
        finished.countDown();
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is exiting and the hook is running: it says the last word.
        }
    }

    /** Why the run ended, for the report: which signal, if known, and that the replicas were killed. */
    String reason() {
        Signal s = caught;
        return "interrupted" + (s != null ? " by SIG" + s.getName() : "")
                + (started ? "; the replicas were killed" : " before the replicas started");
    }

    /** The exit status the JVM ends with, 128 + the signal, or {@code otherwise} when the signal is not known. */
    int exitCode(int otherwise) {
        Signal s = caught;
        return s != null ? 128 + s.getNumber() : otherwise;
    }

    private void onExit() {
        if (started) {
            try {
                finished.await(WAIT_FOR_REPORT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean written;
        synchronized (this) {
            tooLate = true;
            written = reportWritten;
        }
        String line = "resh exec: " + reason();
        if (report != null) {
            line += written ? "; the report is in " + report : "; the report " + report + " was not written";
        }
        Signal s = caught;
        say.accept(line + (s != null ? " (exit " + (128 + s.getNumber()) + ")" : ""));
    }
}
