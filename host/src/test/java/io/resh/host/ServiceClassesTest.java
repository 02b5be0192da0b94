package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.resh.core.ConfigException;
import io.resh.core.config.GroupConfig;
import io.resh.host.testing.CounterService;
import io.resh.host.testing.TestGroups;
import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The service class check before any replica starts, and what it says about the configured class path. */
class ServiceClassesTest {
    private final String cwd = Path.of("").toAbsolutePath().toString();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(ServiceClasses.class);

    @BeforeEach
    void listen() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        log.detachAppender(logged);
    }

    private static void check(GroupConfig config) {
        ServiceClasses.check(config, ReplicaLauncher.classpath(config.classpath(), System.getProperty("java.class.path")));
    }

    /** Before: any wildcard skipped the check, and every replica failed at start with a ClassNotFoundException. */
    @Test
    void shouldNameAWildcardWhoseDirectoryDoesNotExist() {
        assertThatThrownBy(() -> check(TestGroups.of("wild", 3, "com.example.Counter").classpath("nosuch/*").build()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("service.class: no class com.example.Counter on the replicas' class path; check the name and"
                        + " classpath: nosuch/* (nosuch/* does not exist in " + cwd + ")");
    }

    /** A service nested in a class, named as Java source names it. */
    public static final class Nested extends io.resh.host.testing.ForwardingService {
        public Nested() {
            super(new CounterService());
        }
    }

    /** Before: "no class …ServiceClassesTest.Nested on the replicas' class path; check the name", with the class right there. */
    @Test
    void shouldGiveTheNameWithADollarSignOfANestedClassNamedWithDots() {
        assertThatThrownBy(() -> check(TestGroups.of("nested", 3, "io.resh.host.ServiceClassesTest.Nested").build()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("service.class: no class io.resh.host.ServiceClassesTest.Nested on the replicas' class path;"
                        + " a nested class is named with '$' there: io.resh.host.ServiceClassesTest$Nested");
    }

    /** Before: nothing; the JVM skips the entry, and a misspelt library jar showed only when a request needed it. */
    @Test
    void shouldWarnOfAnEntryThatDoesNotExistWhenTheClassIsFoundWithoutIt() {
        check(TestGroups.of("lib", 3, CounterService.class.getName())
                .classpath("target" + File.pathSeparator + "nosuch.jar").build());

        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("group lib:"
                + " service.classpath: nosuch.jar does not exist in " + cwd + "; the replicas' JVM skips what does not"
                + " exist, so check the path");
    }
}
