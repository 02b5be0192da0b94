package io.resh.host;

import io.resh.core.ConfigException;
import io.resh.core.config.GroupConfig;
import io.resh.core.config.ReplicaSpec;
import io.resh.replica.ReplicatedService;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds each configured service class on the replicas' class path before any replica starts. A misspelt
 * class name otherwise showed as every replica failing at start, several warnings and the replica's log
 * quoted in a two-line error, instead of one line naming the field.
 */
final class ServiceClasses {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceClasses.class);
    private static final List<String> CLASS_PATH_FLAGS = List.of("-cp", "-classpath", "--class-path", "-jar");

    private ServiceClasses() {
    }

    /**
     * @param classpath the replicas' class path, as {@link ReplicaLauncher#classpath} builds it
     * @throws ConfigException naming the version's {@code class} field if its class is not on the class path, is
     *     not a {@link ReplicatedService}, or has no public no-argument constructor a replica can call; a class path
     *     entry that does not exist is only warned about when the class is found without it
     */
    static void check(GroupConfig config, String classpath) {
        checkClasses(config, classpath);
        String missing = missing(config.classpath());
        if (!missing.isEmpty()) {
            // The JVM skips such an entry without a word: a misspelt library jar would show only when a request
            // first needs one of its classes, as a NoClassDefFoundError answered to that request's client.
            LOG.warn("group {}: service.classpath: {}; the replicas' JVM skips what does not exist, so check the path", config.name(),
                    missing);
        }
    }

    private static void checkClasses(GroupConfig config, String classpath) {
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (ReplicaLauncher.isWildcard(entry)) {
                if (!wildcardDirectory(entry).isDirectory()) {
                    continue; // the JVM expands it to nothing
                }
                // A wildcard the JVM expands by its own rules: a check that expanded it differently would refuse a
                // class the replicas find, which is worse than the replicas' own error for one that is missing.
                return;
            }
            try {
                urls.add(new File(entry).toURI().toURL());
            } catch (MalformedURLException e) {
                return; // not a path this check can follow: the replica's JVM decides
            }
        }
        List<ReplicaSpec> versions = config.versions();
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            for (int i = 0; i < versions.size(); i++) {
                ReplicaSpec v = versions.get(i);
                if (v.jvmArgs().stream().anyMatch(a -> CLASS_PATH_FLAGS.contains(a) || a.startsWith("@"))) {
                    continue; // its own class path, or flags from a file: the replica's JVM decides
                }
                String field = versions.size() == 1 ? "service.class" : "versions[" + i + "].class";
                check(loader, v.serviceClass(), field, config.classpath());
            }
        } catch (IOException e) {
            // Closing the loader failed: nothing to tell the user; the replicas load the class themselves.
        }
    }

    /**
     * The configured entries that do not exist, relative to the working directory as the replicas see them:
     * "a.jar, lib/* do not exist in /srv", or "" when all do.
     */
    private static String missing(String configured) {
        if (configured == null) {
            return "";
        }
        List<String> missing = new ArrayList<>();
        for (String entry : configured.split(File.pathSeparator)) {
            boolean exists = ReplicaLauncher.isWildcard(entry) ? wildcardDirectory(entry).isDirectory()
                    : new File(entry).getAbsoluteFile().exists();
            if (!entry.isEmpty() && !exists) {
                missing.add(entry);
            }
        }
        return missing.isEmpty() ? "" : String.join(", ", missing) + (missing.size() == 1 ? " does" : " do")
                + " not exist in " + new File("").getAbsolutePath();
    }

    private static String parenthesized(String text) {
        return text.isEmpty() ? "" : " (" + text + ")";
    }

    private static File wildcardDirectory(String wildcard) {
        return new File(wildcard.substring(0, wildcard.length() - 1)).getAbsoluteFile();
    }

    private static void check(ClassLoader loader, String name, String field, String configured) {
        Class<?> service;
        try {
            service = Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            String binaryName = nestedBinaryName(loader, name);
            if (binaryName != null) {
                throw new ConfigException(field, "no class " + name + " on the replicas' class path; a nested class is"
                        + " named with '$' there: " + binaryName);
            }
            throw new ConfigException(field, "no class " + name + " on the replicas' class path; check the name"
                    + (configured == null || configured.isBlank() ? ", or give its jar or directory with classpath:"
                            : " and classpath: " + configured + parenthesized(missing(configured))));
        } catch (LinkageError e) {
            return; // e.g. compiled for a newer JDK that a version's java: runs: its replica loads it, or says why
        }
        try {
            if (!Class.forName(ReplicatedService.class.getName(), false, loader).isAssignableFrom(service)) {
                throw new ConfigException(field, name + " does not implement " + ReplicatedService.class.getName());
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // The service API is not on this class path as the host sees it: the replica's JVM will say so.
            return;
        }
        String unconstructible = unconstructible(service);
        if (unconstructible != null) {
            throw new ConfigException(field, name + " " + unconstructible
                    + "; each replica creates its service with a public no-argument constructor");
        }
    }

    /**
     * The name the JVM knows a nested class by ({@code com.example.Outer$Inner}) when {@code name} is the one Java
     * source writes ({@code com.example.Outer.Inner}), or null when no such class exists either.
     */
    private static String nestedBinaryName(ClassLoader loader, String name) {
        String candidate = name;
        for (int dot = candidate.lastIndexOf('.'); dot > 0; dot = candidate.lastIndexOf('.', dot - 1)) {
            candidate = candidate.substring(0, dot) + '$' + candidate.substring(dot + 1);
            try {
                Class.forName(candidate, false, loader);
                return candidate;
            } catch (ClassNotFoundException | LinkageError e) {
                // an outer segment may be a package: try the next dot to the left
            }
        }
        return null;
    }

    /**
     * Why a replica could not create {@code service} the way it does ({@code getDeclaredConstructor().newInstance()}
     * from another package), or null if it can. Otherwise every replica failed at start with a reflection error
     * ({@code NoSuchMethodException: demo.Ledger.<init>()}) quoted from its log in a multi-line message.
     */
    private static String unconstructible(Class<?> service) {
        int modifiers = service.getModifiers();
        if (service.isInterface() || Modifier.isAbstract(modifiers)) {
            return "is " + (service.isInterface() ? "an interface" : "abstract");
        }
        if (!Modifier.isPublic(modifiers)) {
            return "is not public";
        }
        if (service.isMemberClass() && !Modifier.isStatic(modifiers)) {
            return "is an inner class (it needs an instance of " + service.getEnclosingClass().getSimpleName()
                    + "); make it static";
        }
        try {
            if (!Modifier.isPublic(service.getDeclaredConstructor().getModifiers())) {
                return "has a no-argument constructor that is not public";
            }
        } catch (NoSuchMethodException e) {
            return "has no no-argument constructor";
        } catch (LinkageError | SecurityException e) {
            return null; // a constructor's parameter types are not loadable here: the replica's JVM decides
        }
        return null;
    }
}
