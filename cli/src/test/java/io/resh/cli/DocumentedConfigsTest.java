package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.resh.cluster.ClusterConfig;
import io.resh.core.ConfigException;
import io.resh.gateway.GatewayConfig;
import io.resh.host.ConfigFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every config a user may copy from the docs, and every shipped example, loads as {@code resh serve} would
 * load it: a doc that shows a field the parser refuses (or a default it does not have) fails here, not in
 * a user's terminal.
 *
 * <p>A block is a whole config, and loaded, when it is a mapping whose top level has one of {@link
 * #WHOLE_CONFIG_KEYS}: a name or what it runs, which every config has. Other blocks (a gateway's {@code
 * canonicalize:} list, Prometheus's scrape config) are snippets of a config or another program's config,
 * and need only be valid YAML.
 */
class DocumentedConfigsTest {
    private static final Set<String> WHOLE_CONFIG_KEYS = Set.of("group", "service", "versions", "server");

    /** {@code cat > counter.yaml <<'YAML'} in a shell block: a config the reader writes out as shown. */
    private static final Pattern HEREDOC = Pattern.compile("\\S+\\.ya?ml\\s*<<-?\\s*['\"]?(\\w+)['\"]?");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    @Test
    void shouldLoadEveryWholeConfigTheDocsShow() throws IOException {
        List<String> problems = new ArrayList<>();
        int loaded = 0;
        for (Path doc : ProjectDocs.markdown()) {
            for (ProjectDocs.Block block : ProjectDocs.blocks(doc)) {
                for (ProjectDocs.Block config : configs(block)) {
                    JsonNode tree;
                    try {
                        tree = YAML.readTree(config.text());
                    } catch (JsonProcessingException e) {
                        problems.add(config.where() + ": not valid YAML: " + e.getOriginalMessage().replaceAll("\\s+", " "));
                        continue;
                    }
                    if (tree == null || !tree.isObject() || WHOLE_CONFIG_KEYS.stream().noneMatch(tree::has)) {
                        continue; // a snippet, see the class comment
                    }
                    loaded++;
                    Path file = dir.resolve(ProjectDocs.name(doc).replace('/', '_') + "-" + config.line() + ".yaml");
                    Files.writeString(file, config.text());
                    String problem = problem(file);
                    if (problem != null) {
                        problems.add(config.where() + ": " + problem);
                    }
                }
            }
        }
        assertThat(problems).as("configs in the docs that resh serve refuses").isEmpty();
        assertThat(loaded).as("whole configs found in the docs (none means the search is broken)").isPositive();
    }

    @Test
    void shouldLoadEveryShippedExample() {
        List<String> problems = new ArrayList<>();
        List<Path> examples = ProjectDocs.exampleConfigs();
        for (Path example : examples) {
            String problem = problem(example);
            if (problem != null) {
                problems.add(ProjectDocs.name(example) + ": " + problem);
            }
        }
        assertThat(examples).as("examples/*.yaml").isNotEmpty();
        assertThat(problems).as("shipped examples that resh serve refuses").isEmpty();
    }

    /** A ```yaml block, or each YAML heredoc of a shell block. */
    private static List<ProjectDocs.Block> configs(ProjectDocs.Block block) {
        if (block.info().equals("yaml") || block.info().equals("yml")) {
            return List.of(block);
        }
        List<ProjectDocs.Block> heredocs = new ArrayList<>();
        List<String> lines = block.lines();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = HEREDOC.matcher(lines.get(i));
            if (m.find()) {
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).strip().equals(m.group(1))) {
                    end++;
                }
                heredocs.add(new ProjectDocs.Block(block.file(), "yaml", block.line() + i + 1, lines.subList(i + 1, end)));
                i = end;
            }
        }
        return heredocs;
    }

    /**
     * What {@code resh serve FILE} says about the file before it starts anything, or null: the dispatch of
     * ServeCommand and ClusterHost.start. A cluster config without {@code cluster.id} is read as each of
     * its peers, as each host's {@code --id} would.
     */
    private static String problem(Path file) {
        try {
            JsonNode tree = ConfigFile.readTree(file);
            if (!ClusterConfig.present(tree)) {
                if (GatewayConfig.isGatewayConfig(tree)) {
                    GatewayConfig.load(file);
                } else {
                    ConfigFile.load(file);
                }
                return null;
            }
            List<String> ids = new ArrayList<>();
            if (tree.at("/cluster/id").isMissingNode()) {
                tree.at("/cluster/peers").forEach(p -> ids.add(p.path("id").asText()));
            } else {
                ids.add(null);
            }
            for (String id : ids) {
                ClusterConfig.parse(tree, id);
            }
            JsonNode rest = ClusterConfig.withoutCluster(tree);
            if (GatewayConfig.isGatewayConfig(rest)) {
                GatewayConfig.parse(rest, file.toString(), file.toAbsolutePath().getParent());
            } else {
                ConfigFile.parse(rest);
            }
            return null;
        } catch (ConfigException e) {
            return withoutFile(file, e);
        }
    }

    /** The message without the file's name: the caller names the file, or the doc and line it was copied from. */
    private static String withoutFile(Path file, ConfigException e) {
        return e.getMessage().replaceFirst("^(" + Pattern.quote(file.toString()) + "|" + Pattern.quote(
                file.getFileName().toString()) + "): ", "");
    }
}
