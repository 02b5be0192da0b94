package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command lines the docs show use options their command has, and every option of every {@code resh} command
 * is named in the doc of that command, where its users look (an option of {@code resh exec} named only in
 * CLUSTER.md is not documented). Both are read from the command's own picocli model, so a renamed or removed
 * option fails here rather than in a reader's terminal.
 *
 * <p>A command line is {@code resh} ({@code ./resh}, {@code resh.jar}) and a command name, in a shell block
 * (a fenced block marked sh, bash, console or nothing), in an inline code span, or in a comment of an example
 * config. It ends where the shell would end it ({@code | ; & < > # ( )}), at {@code --}, and, for a command
 * that stops at its first positional parameter ({@code resh exec}), there: what follows belongs to the
 * program run, not to resh. {@code resh exec:} and {@code resh:} (messages, not commands) are not command
 * lines.
 */
class DocumentedOptionsTest {
    private static final Set<String> SHELL_BLOCKS = Set.of("", "sh", "bash", "console", "shell");
    private static final Pattern INVOCATION = Pattern.compile("(?<![\\w.-])resh(?:\\.jar)?\\s");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1", Pattern.DOTALL);
    /** Built once: only read, and each build models every command. */
    private static final CommandLine RESH = Resh.commandLine();

    @Test
    void shouldShowOnlyOptionsTheCommandHas() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        List<Path> docs = new ArrayList<>(ProjectDocs.markdown());
        docs.addAll(ProjectDocs.exampleConfigs()); // their comments say how to run them
        for (Path doc : docs) {
            for (Line line : commandLines(doc)) {
                Matcher m = INVOCATION.matcher(line.text());
                while (m.find()) {
                    String problem = problem(line.text().substring(m.end()));
                    if (problem != null) {
                        problems.add(ProjectDocs.name(doc) + ":" + line.number() + ": " + problem + " (in: "
                                + line.text().strip() + ")");
                    }
                    checked++;
                }
            }
        }
        assertThat(problems).as("options the docs show that their command does not have").isEmpty();
        assertThat(checked).as("resh command lines found in the docs (none means the search is broken)").isPositive();
    }

    /**
     * The doc a user of each command reads, as the docs present themselves; a subcommand not listed is in its
     * parent's doc ({@code resh cluster add} in CLUSTER.md). {@code resh} itself has only -h and -V.
     */
    private static final Map<String, String> DOC_OF_COMMAND = Map.ofEntries(
            Map.entry("resh", "README.md"),
            Map.entry("resh demo", "docs/GETTING-STARTED.md"),       // "1. Build and see it work"
            Map.entry("resh serve", "docs/CONFIGURATION.md"),        // "`resh serve CONFIG` reads a YAML file"
            Map.entry("resh exec", "docs/EXEC.md"),
            Map.entry("resh campaign", "docs/CAMPAIGNS.md"),         // "## Options"
            Map.entry("resh bench", "docs/BENCHMARKS.md"),           // "## Running them"
            Map.entry("resh status", "docs/OBSERVABILITY.md"),       // "## CLI"
            Map.entry("resh inject", "docs/OBSERVABILITY.md"),
            Map.entry("resh events", "docs/OBSERVABILITY.md"),
            Map.entry("resh call", "docs/GETTING-STARTED.md"),       // "2. Serve a replicated key-value store"
            Map.entry("resh kv", "docs/GETTING-STARTED.md"),
            Map.entry("resh cluster", "docs/CLUSTER.md"));

    @Test
    void shouldNameEveryOptionOfEveryCommandInItsDoc() {
        List<String> missing = new ArrayList<>();
        collectUndocumented(RESH, missing);
        assertThat(missing).as("options the doc of their command does not name").isEmpty();
    }

    private static void collectUndocumented(CommandLine cmd, List<String> missing) {
        String command = cmd.getCommandSpec().qualifiedName();
        String doc = docOf(command);
        if (doc == null) {
            missing.add(command + ": no doc in DOC_OF_COMMAND; add the doc that documents it");
        } else {
            String text = String.join("\n", ProjectDocs.lines(ProjectDocs.ROOT.resolve(doc)));
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp()) {
                    continue; // -h and -V of every command, the same everywhere
                }
                String name = o.longestName().replaceFirst("^--", "");
                boolean named = Pattern.compile("(?<![\\w-])--(\\[no-])?" + Pattern.quote(name) + "(?![\\w-])")
                        .matcher(text).find();
                if (!named) {
                    missing.add(command + " " + o.longestName() + ": not named in " + doc + ", where users of "
                            + command + " look; document it there");
                }
            }
        }
        cmd.getSubcommands().values().stream().distinct()
                .filter(sub -> !(sub.getCommand() instanceof CommandLine.HelpCommand))
                .forEach(sub -> collectUndocumented(sub, missing));
    }

    /** The doc of {@code command}, else of the nearest command above it that has one; null if none has. */
    private static String docOf(String command) {
        for (String c = command; ; c = c.substring(0, c.lastIndexOf(' '))) {
            String doc = DOC_OF_COMMAND.get(c);
            if (doc != null || !c.contains(" ")) {
                return doc;
            }
        }
    }

    /** What is wrong with the options after {@code resh}, or null (also when it is no command line at all). */
    private static String problem(String rest) {
        List<String> words = words(rest);
        if (words.isEmpty()) {
            return null;
        }
        CommandLine cmd = RESH.getSubcommands().get(words.get(0));
        if (cmd == null || cmd.getCommand() instanceof CommandLine.HelpCommand) {
            return null;
        }
        for (int i = 1; i < words.size(); i++) {
            String word = words.get(i);
            CommandSpec spec = cmd.getCommandSpec();
            CommandLine sub = cmd.getSubcommands().get(word);
            if (sub != null) {
                cmd = sub;
                continue;
            }
            if (word.equals("--")) {
                break;
            }
            if (word.length() > 1 && word.startsWith("-") && !word.matches("-\\d.*")) {
                String name = word.split("=", 2)[0];
                OptionSpec o = spec.optionsMap().getOrDefault(name, spec.negatedOptionsMap().get(name));
                if (o == null) {
                    return "'" + spec.qualifiedName() + "' has no option " + name;
                }
                if (!word.contains("=") && o.arity().max() > 0) {
                    i++; // its value
                }
            } else if (spec.parser().stopAtPositional()) {
                break;
            }
        }
        return null;
    }

    /** Shell words up to where the shell would end the command; quotes group, and are dropped. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if ("|;&<>#()".indexOf(c) >= 0) {
                break;
            } else if (c == '\'' || c == '"') {
                int end = text.indexOf(c, i + 1);
                end = end < 0 ? text.length() : end;
                words.add(text.substring(i + 1, end));
                i = end + 1;
            } else {
                int end = i;
                while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
                words.add(text.substring(i, end));
                i = end;
            }
        }
        return words;
    }

    private record Line(int number, String text) {
    }

    /**
     * The lines of shell blocks (a trailing backslash joins the next) and the inline code spans of the prose;
     * of a config file, its lines, comments included.
     */
    private static List<Line> commandLines(Path doc) {
        List<Line> out = new ArrayList<>();
        if (!doc.toString().endsWith(".md")) {
            List<String> lines = ProjectDocs.lines(doc);
            for (int i = 0; i < lines.size(); i++) {
                out.add(new Line(i + 1, lines.get(i).replaceFirst("^\\s*#", "")));
            }
            return out;
        }
        for (ProjectDocs.Block b : ProjectDocs.blocks(doc)) {
            if (!SHELL_BLOCKS.contains(b.info())) {
                continue;
            }
            StringBuilder joined = new StringBuilder();
            int first = -1;
            for (int i = 0; i < b.lines().size(); i++) {
                String l = b.lines().get(i);
                first = first < 0 ? i : first;
                if (l.endsWith("\\")) {
                    joined.append(l, 0, l.length() - 1).append(' ');
                    continue;
                }
                out.add(new Line(b.line() + first, joined.append(l).toString()));
                joined.setLength(0);
                first = -1;
            }
        }
        String prose = String.join("\n", ProjectDocs.prose(doc));
        Matcher m = CODE_SPAN.matcher(prose);
        while (m.find()) {
            int number = 1 + (int) prose.substring(0, m.start()).chars().filter(ch -> ch == '\n').count();
            out.add(new Line(number, m.group(2).replace('\n', ' ')));
        }
        return out;
    }
}
