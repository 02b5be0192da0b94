package io.resh.core;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The kernel's CPU list format, as in {@code Cpus_allowed_list} of {@code /proc/self/status} or
 * {@code taskset -c}: comma-separated CPU numbers and ranges, e.g. {@code 0-3,8,10-11}. In a container
 * limited to a CPU set the CPUs a process may use need not be 0 to n-1; pinning must use these numbers.
 */
public final class CpuList {
    private static final String ALLOWED_KEY = "Cpus_allowed_list:";

    private CpuList() {
    }

    /**
     * The CPUs the list names, ascending, each once.
     *
     * @throws IllegalArgumentException naming the part that is not a CPU number or range
     */
    public static List<Integer> parse(String list) {
        TreeSet<Integer> cpus = new TreeSet<>();
        for (String part : list.trim().split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            int from = number(dash < 0 ? p : p.substring(0, dash), list);
            int to = dash < 0 ? from : number(p.substring(dash + 1), list);
            if (to < from) {
                throw new IllegalArgumentException("CPU range '" + p + "' in '" + list + "' runs backwards");
            }
            for (int c = from; c <= to; c++) {
                cpus.add(c);
            }
        }
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("CPU list '" + list + "' names no CPU");
        }
        return List.copyOf(new ArrayList<>(cpus));
    }

    /**
     * The CPUs a process may run on, from the lines of its {@code /proc/PID/status} ({@code
     * Cpus_allowed_list}); CPUs 0 to {@code fallbackCount} - 1 when the lines hold no such entry or a
     * malformed one (not Linux, or an unexpected format).
     */
    public static List<Integer> allowedIn(List<String> statusLines, int fallbackCount) {
        for (String line : statusLines) {
            if (line.startsWith(ALLOWED_KEY)) {
                try {
                    return parse(line.substring(ALLOWED_KEY.length()));
                } catch (IllegalArgumentException e) {
                    break;
                }
            }
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < fallbackCount; i++) {
            all.add(i);
        }
        return List.copyOf(all);
    }

    private static int number(String s, String list) {
        try {
            int n = Integer.parseInt(s.trim());
            if (n < 0 || n > 65_535) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s.trim() + "' in CPU list '" + list + "' is not a CPU number");
        }
    }
}
