package io.resh.core.config;

import java.util.List;

/**
 * How one replica slot is launched: which service class, which {@code java} binary, which JVM flags.
 * Different specs per slot give N-version and runtime diversity.
 *
 * @param serviceClass fully qualified {@code ReplicatedService} implementation
 * @param java the java launcher to run (path or name on PATH)
 * @param jvmArgs extra JVM flags (heap, GC choice, ...)
 * @param label a short name for this version, shown in status and events
 */
public record ReplicaSpec(String serviceClass, String java, List<String> jvmArgs, String label) {
    public ReplicaSpec {
        jvmArgs = List.copyOf(jvmArgs);
    }
}
