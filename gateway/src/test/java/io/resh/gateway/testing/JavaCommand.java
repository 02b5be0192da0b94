package io.resh.gateway.testing;

/** Command lines that run a test class's main method as a separate replica process, quoted for YAML. */
public final class JavaCommand {
    private JavaCommand() {
    }

    /** {@code java -cp <test class path> <main> <args>}, as one single-quoted YAML scalar. */
    public static String yaml(Class<?> main, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String line = "'" + java + "' -Xss512k -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '" + System.getProperty("java.class.path")
                + "' " + main.getName() + " " + String.join(" ", args);
        return "'" + line.replace("'", "''") + "'";
    }
}
