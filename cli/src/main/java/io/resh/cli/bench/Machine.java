package io.resh.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the figures were measured on: a benchmark number means nothing without it.
 *
 * @param cores processors available to the JVM
 * @param cpu CPU model name, if the OS says
 * @param os operating system, version and architecture
 * @param jvm Java runtime vendor and version
 * @param loadAverage the system load average over the last minute when the run started (-1 if
 *     unknown): above the core count, other work competed with the benchmark
 */
public record Machine(int cores, String cpu, String os, String jvm, double loadAverage) {

    static Machine current() {
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0);
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
        return cores + " cores (" + cpu + "), " + os + ", " + jvm + ", load average " + loadAverage + " at start";
    }
}
