package io.resh.core.config;

import io.resh.core.ConfigException;

/** Checks of the paths a config file gives, shared by the replica group's and the gateway's parsers. */
public final class ConfigPaths {
    private ConfigPaths() {
    }

    /**
     * Refuses a path that starts with {@code ~}: only a shell expands it, and taken as it is it made {@code workDir:
     * ~/resh-work} a directory named "~" (and a classpath or java the replicas could not find). The error names the
     * path it likely means.
     *
     * @param field the field, as errors name it
     * @param relativeTo what a relative path in this field is resolved against, e.g. "the directory resh serve runs in"
     */
    public static void refuseTilde(String field, String path, String relativeTo) {
        if (path.equals("~") || path.startsWith("~/")) {
            String home = System.getenv("HOME");
            if (home == null || home.isBlank()) {
                home = System.getProperty("user.home");
            }
            throw new ConfigException(field, "'" + path + "' starts with ~, which a config does not expand (only a"
                    + " shell does): write " + home + path.substring(1) + ", or a path relative to " + relativeTo);
        }
    }
}
