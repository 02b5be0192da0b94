package io.resh.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * What the figures were measured on: a benchmark number means nothing without it.
 *
 * @param cores processors available to the JVM
 * @param cpu CPU model name, if the OS says
 * @param os operating system, version and architecture
 * @param jvm Java runtime vendor and version
 * @param loadAverage the system load average over the last minute when the run started (-1 if
 *     unknown): above the core count, other work competed with the benchmark
 * @param scheduler the kernel's preemption model and tick rate, e.g. {@code preempt none, HZ 250}, or
 *     {@code unknown}: on a kernel that does not preempt, a woken thread waits up to a tick behind a busy
 *     one, which sets latency tails on a machine with few cores (docs/BENCHMARKS.md)
 */
public record Machine(int cores, String cpu, String os, String jvm, double loadAverage, String scheduler) {

    static Machine current() {
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0,
                scheduler(kernelConfig(), read(Path.of("/proc/cmdline"))));
    }

    /**
     * The preemption model and tick rate from the kernel's build configuration ({@code /proc/config.gz} or
     * {@code /boot/config-RELEASE}) and its command line ({@code preempt=} chooses the model of a kernel
     * built with {@code PREEMPT_DYNAMIC}).
     */
    static String scheduler(String config, String cmdline) {
        if (config == null || config.isEmpty()) {
            return "unknown";
        }
        String c = "\n" + config; // options are matched at the start of a line
        String model = null;
        for (String m : new String[] {"none", "voluntary", "full", "lazy"}) {
            if (cmdline != null && (" " + cmdline.trim() + " ").contains(" preempt=" + m + " ")) {
                model = m;
            }
        }
        if (model == null || !c.contains("\nCONFIG_PREEMPT_DYNAMIC=y")) {
            model = c.contains("\nCONFIG_PREEMPT_RT=y") ? "rt"
                    : c.contains("\nCONFIG_PREEMPT_NONE=y") ? "none"
                    : c.contains("\nCONFIG_PREEMPT_VOLUNTARY=y") ? "voluntary"
                    : c.contains("\nCONFIG_PREEMPT_LAZY=y") ? "lazy"
                    : c.contains("\nCONFIG_PREEMPT=y") ? "full" : "unknown";
        }
        String hz = "unknown";
        for (String line : config.split("\n")) {
            if (line.startsWith("CONFIG_HZ=")) {
                hz = line.substring("CONFIG_HZ=".length()).trim();
            }
        }
        return "preempt " + model + ", HZ " + hz;
    }

    private static String kernelConfig() {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of("/proc/config.gz")))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return read(Path.of("/boot", "config-" + System.getProperty("os.version")));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the core count still says the most important thing
        }
        return "unknown";
    }

    @Override
    public String toString() {
        return cores + " cores (" + cpu + "), " + os + " (" + scheduler + "), " + jvm + ", load average " + loadAverage
                + " at start";
    }
}
