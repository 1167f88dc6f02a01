package dev.lockstep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.plugin.Contexts;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.StepTypesDoc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documentation works as printed: README.md and every docs/*.md. The conventions a doc follows:
 *
 * <ul>
 *   <li>A fenced block tagged {@code sh} (or {@code bash}, {@code shell}, or untagged) is a command block: each line
 *       that starts with {@code lockstep } or {@code dist/lockstep } is run, in order, in-process through
 *       {@code Main.run} ({@code dist/} dropped), and must exit 0, or N when the line ends with {@code # exits N};
 *       {@code export NAME=VALUE} sets a variable for the lines after it; comments and blank lines are read past;
 *       any other line fails the test. Blocks tagged {@code text} are synopses and listings, never run.</li>
 *   <li>The commands of one file share a temporary folder: it is {@code $TMPDIR} and holds the state folder
 *       ({@code $LOCKSTEP_STATE_DIR}); relative paths such as {@code runbooks/demo.yaml} are the checkout's, as a reader
 *       in a checkout types them.</li>
 *   <li>Placeholders: a word {@code RUN_ID} or {@code RUN} is the latest run of the store the line names (its
 *       {@code --state-dir}, else the temporary one), as {@code lockstep show} picks it; {@code DEMO_FOLDER} is the demo's
 *       folder, {@code $TMPDIR/lockstep-cutover-demo}.</li>
 *   <li>A line meant for a terminal ({@code demo}, {@code run}, {@code resume} or {@code rollback} without
 *       {@code --no-tui}) is run with {@code --no-tui --yes} added, the test playing the operator who answers yes;
 *       {@code demo} gets {@code --rows 5000} unless it says {@code --rows}: the small database {@code DemoTest} uses,
 *       so that the whole test takes well under two minutes.</li>
 *   <li>A YAML block with a top-level {@code steps:} is a runbook and must pass {@code lockstep validate}. Preceded by
 *       {@code <!-- docs-test: file NAME -->} it is also written as NAME in the temporary folder, and a later command's
 *       word NAME means that file (so the README's first runbook is validated, planned and run as printed).</li>
 *   <li>{@code <!-- docs-test: skip (REASON) -->} before a block keeps it from running (it needs a real AWS account,
 *       a cluster, a shared database); the test prints every skipped block with its reason and every block it ran.
 *       Any other block that calls lockstep (a CI workflow's {@code run: lockstep …}) must be marked so.</li>
 * </ul>
 *
 * docs/step-types.md is generated from the step types ({@code lockstep schema --markdown}); when it differs, the test
 * says how to write it again: {@code LOCKSTEP_WRITE_DOCS=1 mvn -B -o -q test -Dtest=DocsTest}.
 */
@Tag("postgres")
@Tag("process")
class DocsTest {
    private static final Path STEP_TYPES = Path.of("docs/step-types.md");
    private static final Pattern FENCE = Pattern.compile("^```(\\w*)\\s*$");
    private static final Pattern MARK = Pattern.compile("^<!-- docs-test: (skip \\((.+)\\)|file (\\S+)) -->$");
    private static final Pattern EXITS = Pattern.compile("#\\s*exits (\\d+)\\s*$");
    private static final Pattern EXPORT = Pattern.compile("^export ([A-Z_][A-Z0-9_]*)=(\\S*)$");
    private static final Pattern SHOWN_ID = Pattern.compile("^\\{\\s*\"id\"\\s*:\\s*\"([^\"]+)\"");
    /** A Markdown link to a file of this repository, with its #anchor if any (web addresses are not followed). */
    private static final Pattern LINK = Pattern.compile("\\]\\((?!https?:|mailto:)([^)#\\s]*)(?:#([^)\\s]+))?\\)");
    /** A doc this long opens with its contents. */
    private static final int LONG = 80;
    private static final List<String> FOR_A_TERMINAL = List.of("demo", "run", "resume", "rollback");

    @TempDir
    Path tmp;

    @Test
    void theStepTypeReferenceIsTheOneTheTypesGenerate() throws IOException {
        LockstepCli.Result printed = new LockstepCli(tmp.resolve("state")).runAsPrinted(List.of("schema", "--markdown"));
        assertEquals(0, printed.exit(), printed.all());
        String generated = StepTypesDoc.markdown(StepTypes.discover().all().values(), Contexts.discover().all().values());
        assertEquals(generated, printed.out(), "lockstep schema --markdown prints the generated reference");
        if ("1".equals(System.getenv("LOCKSTEP_WRITE_DOCS"))) Files.writeString(STEP_TYPES, generated);
        String committed = Files.exists(STEP_TYPES) ? Files.readString(STEP_TYPES) : "";
        assertEquals(generated, committed, STEP_TYPES + " is not what the step types generate; write it again with "
                + "LOCKSTEP_WRITE_DOCS=1 mvn -B -o -q test -Dtest=DocsTest (or: lockstep schema --markdown > " + STEP_TYPES + ")");
        for (String type : StepTypes.discover().all().keySet()) {
            assertTrue(committed.contains("\n## `" + type + "`\n"), "docs/step-types.md has a section for " + type);
        }
    }

    @Test
    void theMarkdownReferenceAndThePlanSchemaAreOneOrTheOther() {
        LockstepCli.Result both = new LockstepCli(tmp.resolve("state")).runAsPrinted(List.of("schema", "--plan", "--markdown"));
        assertEquals(2, both.exit(), both.all());
        assertTrue(both.err().contains("give one"), both.all());
    }

    @Test
    void everyCommandAndRunbookInTheDocsWorksAsPrinted() throws IOException {
        List<Path> docs = docs();
        List<String> ran = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int listings = 0;
        for (Path doc : docs) {
            Path folder = Files.createDirectories(tmp.resolve(doc.getFileName().toString()));
            Session session = new Session(folder);
            for (Block block : blocks(doc)) {
                String where = doc + ":" + block.line;
                if (block.skipReason != null) {
                    skipped.add(where + ": " + block.skipReason);
                } else if (block.isCommands()) {
                    for (String line : block.text.split("\n")) session.command(where, line, ran);
                } else if (block.isRunbook()) {
                    session.runbook(where, block, ran);
                } else if (block.runsLockstep()) {
                    throw new AssertionError(where + ": a block that runs lockstep (a CI workflow) neither runs here nor "
                            + "says why: mark it <!-- docs-test: skip (why) -->");
                } else {
                    listings++;
                }
            }
        }
        System.out.println("DocsTest: " + ran.size() + " commands and runbooks ran, " + skipped.size() + " blocks skipped, "
                + listings + " listings and fragments read past");
        ran.forEach(r -> System.out.println("  ran     " + r));
        skipped.forEach(s -> System.out.println("  skipped " + s));
        assertTrue(ran.stream().anyMatch(r -> r.startsWith("README.md") && r.contains("lockstep run first.yaml")),
                "the README's first runbook must run: " + ran);
    }

    @Test
    void everyLinkBetweenTheDocsLeadsToAFileAndHeadingThatExist() throws IOException {
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path doc : docs()) {
            Matcher link = LINK.matcher(Files.readString(doc));
            while (link.find()) {
                String file = link.group(1);
                Path target = file.isEmpty() ? doc : doc.resolveSibling(file).normalize();
                links++;
                if (!Files.exists(target)) {
                    broken.add(doc + ": " + link.group() + ": no file " + target);
                } else if (link.group(2) != null && target.toString().endsWith(".md") && !anchors(target).contains(link.group(2))) {
                    broken.add(doc + ": " + link.group() + ": no heading #" + link.group(2) + " in " + target);
                }
            }
        }
        assertTrue(links > 50, "the docs link to each other: " + links + " links found");
        assertEquals(List.of(), broken, "links that lead nowhere");
    }

    @Test
    void everyLongDocHasATableOfContentsWithEachOfItsSections() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path doc : docs()) {
            List<String> lines = Files.readAllLines(doc);
            if (doc.getFileName().toString().equals("README.md") || lines.size() < LONG) continue;
            String text = String.join("\n", lines);
            for (String line : lines) {
                if (!line.startsWith("## ")) continue;
                String anchor = StepTypesDoc.anchor(line.substring(3));
                if (!text.contains("](#" + anchor + ")")) missing.add(doc + ": " + line);
            }
        }
        assertEquals(List.of(), missing, "sections of a long doc (" + LONG + " lines or more) its contents do not list");
    }

    private static List<String> anchors(Path doc) throws IOException {
        return Files.readAllLines(doc).stream().filter(l -> l.startsWith("#"))
                .map(l -> StepTypesDoc.anchor(l.replaceFirst("^#+\\s+", ""))).toList();
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** The commands of one doc: its temporary folder, its state, the variables its export lines set, its files. */
    private static final class Session {
        private final Path folder;
        private final Map<String, String> env = new HashMap<>();
        private final Map<String, Path> files = new LinkedHashMap<>();

        Session(Path folder) {
            this.folder = folder;
            env.put("TMPDIR", folder.toString());
            env.put("LOCKSTEP_STATE_DIR", folder.resolve("state").toString());
        }

        void command(String where, String line, List<String> ran) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) return;
            Matcher export = EXPORT.matcher(text);
            if (export.matches()) {
                env.put(export.group(1), export.group(2));
                return;
            }
            Matcher exits = EXITS.matcher(text);
            int expected = exits.find() ? Integer.parseInt(exits.group(1)) : 0;
            String command = text.replaceFirst("\\s+#.*$", "");
            if (!command.startsWith("lockstep ") && !command.startsWith("dist/lockstep ")) {
                throw new AssertionError(where + ": '" + text + "' is not a lockstep command; mark the block "
                        + "<!-- docs-test: skip (why it cannot run here) --> or tag it text");
            }
            List<String> words = PrintedHints.words(command.replaceFirst("^dist/", ""));
            List<String> args = new ArrayList<>(words.subList(1, words.size()));
            asAtATerminal(args);
            args.replaceAll(word -> files.containsKey(word) ? files.get(word).toString()
                    : word.replace("DEMO_FOLDER", folder.resolve("lockstep-cutover-demo").toString()));
            if (args.contains("RUN_ID") || args.contains("RUN")) {
                String latest = latestRun(args);
                args.replaceAll(word -> word.equals("RUN_ID") || word.equals("RUN") ? latest : word);
            }
            LockstepCli.Result r = cli().runAsPrinted(args);
            ran.add(where + ": " + command + "  -> exit " + r.exit());
            assertEquals(expected, r.exit(), where + ": " + command + " (run as lockstep " + String.join(" ", args) + ")\n" + r.all());
        }

        void runbook(String where, Block block, List<String> ran) throws IOException {
            Path file = folder.resolve(block.fileName != null ? block.fileName : "runbook-" + block.line + ".yaml");
            Files.writeString(file, block.text, StandardCharsets.UTF_8);
            if (block.fileName != null) files.put(block.fileName, file);
            LockstepCli.Result r = cli().runAsPrinted(List.of("validate", file.toString()));
            ran.add(where + ": the runbook validates  -> exit " + r.exit());
            assertEquals(0, r.exit(), where + ": a runbook in the docs that does not validate:\n" + r.all());
        }

        private LockstepCli cli() {
            LockstepCli cli = new LockstepCli(folder.resolve("state"));
            env.forEach(cli::env);
            return cli;
        }

        /** What an operator at a terminal answers, and the small demo database (see the class comment). */
        private static void asAtATerminal(List<String> args) {
            if (!args.isEmpty() && FOR_A_TERMINAL.contains(args.get(0)) && !args.contains("--no-tui")) {
                args.add("--no-tui");
                if (!args.contains("--yes")) args.add("--yes");
            }
            if (!args.isEmpty() && args.get(0).equals("demo") && !args.contains("--rows") && !args.contains("--clean")) {
                args.addAll(List.of("--rows", "5000"));
            }
        }

        /** The latest run of the store these words name, as show picks it when given no id. */
        private String latestRun(List<String> args) {
            List<String> show = new ArrayList<>(List.of("show", "--output", "json"));
            int stateDir = args.indexOf("--state-dir");
            if (stateDir >= 0) show.addAll(args.subList(stateDir, stateDir + 2));
            LockstepCli.Result r = cli().runAsPrinted(show);
            Matcher id = SHOWN_ID.matcher(r.out());
            if (!id.find()) throw new AssertionError("no run to stand for RUN_ID: lockstep " + String.join(" ", show) + "\n" + r.all());
            return id.group(1);
        }
    }

    private record Block(int line, String info, String text, String skipReason, String fileName) {
        boolean isCommands() {
            return List.of("sh", "bash", "shell", "").contains(info)
                    && text.lines().anyMatch(l -> l.startsWith("lockstep ") || l.startsWith("dist/lockstep "));
        }

        /** A block other than a synopsis that calls lockstep: a CI workflow's {@code run: lockstep …}. */
        boolean runsLockstep() {
            return !info.equals("text") && text.lines().anyMatch(l -> l.matches("\\s*-?\\s*run:\\s*(dist/)?lockstep .*"));
        }

        boolean isRunbook() {
            return List.of("yaml", "yml").contains(info) && text.lines().anyMatch(l -> l.startsWith("steps:"));
        }
    }

    /** The fenced blocks of a Markdown file, each with the docs-test mark on the line before it, if any. */
    private static List<Block> blocks(Path doc) throws IOException {
        List<String> lines = Files.readAllLines(doc);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) continue;
            int start = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) text.append(lines.get(i)).append('\n');
            if (i == lines.size()) throw new AssertionError(doc + ":" + (start + 1) + ": a fenced block is never closed");
            Matcher mark = start > 0 ? MARK.matcher(lines.get(start - 1).strip()) : MARK.matcher("");
            boolean marked = mark.matches();
            blocks.add(new Block(start + 1, open.group(1), text.toString(), marked ? mark.group(2) : null,
                    marked ? mark.group(3) : null));
        }
        return blocks;
    }
}
