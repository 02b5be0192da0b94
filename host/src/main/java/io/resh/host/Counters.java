package io.resh.host;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The group's named counters, kept as plain {@code long}s in registration order. The two counted on
 * every request ({@link #REQUESTS}, {@link #REPLIES}) are addressed by index, so the hot path neither
 * hashes a name nor boxes a value. Touched only by the group loop thread.
 */
final class Counters {
    static final int REQUESTS = 0;
    static final int REPLIES = 1;

    private final Map<String, Integer> index = new HashMap<>();
    private String[] names = new String[32];
    private long[] values = new long[32];
    private int size;

    Counters(Iterable<String> registered) {
        register("requests");
        register("replies");
        for (String name : registered) {
            register(name);
        }
    }

    private int register(String name) {
        Integer known = index.get(name);
        if (known != null) {
            return known;
        }
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        index.put(name, size);
        return size++;
    }

    void increment(int counter) {
        values[counter]++;
    }

    void increment(String name) {
        values[register(name)]++;
    }

    /** The counter's value, or 0 for one never counted. */
    long get(String name) {
        Integer i = index.get(name);
        return i == null ? 0 : values[i];
    }

    void set(String name, long value) {
        values[register(name)] = value;
    }

    int size() {
        return size;
    }

    String name(int counter) {
        return names[counter];
    }

    long value(int counter) {
        return values[counter];
    }

    void setValue(int counter, long value) {
        values[counter] = value;
    }

    /** A copy in registration order, for status reports. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            out.put(names[i], values[i]);
        }
        return out;
    }
}
