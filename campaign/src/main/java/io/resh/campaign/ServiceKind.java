package io.resh.campaign;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The services a campaign can run: the examples shipped with resh. */
public enum ServiceKind {
    /** AES-CTR encryption, three diverse implementations (the L4 case study). */
    AES,
    /** The key-value store (stateful, sorted map). */
    KV;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the service comes in several implementations, one per replica slot ({@code --diverse}). */
    public boolean hasDiverseImplementations() {
        return workload().versions().size() > 1;
    }

    Workload workload() {
        return this == AES ? new AesWorkload() : new KvWorkload();
    }

    /** Parses {@code aes} or {@code kv}; the error lists the choices. */
    public static ServiceKind parse(String text) {
        for (ServiceKind k : values()) {
            if (k.label().equalsIgnoreCase(text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("expected one of "
                + Arrays.stream(values()).map(ServiceKind::label).collect(Collectors.joining(", ")) + ", got '" + text + "'");
    }
}
