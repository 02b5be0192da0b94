package io.resh.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the figures were measured on: a benchmark number means nothing without it.
 *
 * @param cores processors available to the JVM
 * @param cpu CPU model name, if the OS says
 * @param os operating system, version and architecture
 * @param jvm Java runtime vendor and version
 */
public record Machine(int cores, String cpu, String os, String jvm) {

    static Machine current() {
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
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
        return cores + " cores (" + cpu + "), " + os + ", " + jvm;
    }
}
