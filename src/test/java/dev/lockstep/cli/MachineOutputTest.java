package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.spi.Json;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What scripts and CI read: the JSON shapes of runs, show, plan and validate (pinned here, documented
 * in docs/operator-guide.md, Machine output), GitHub Actions' groups, annotations and job summary, and JUnit XML. No secret in any.
 */
class MachineOutputTest {
    private static final String SECRET = "tok-4242-secret";

    @TempDir
    Path tmp;

    private LockstepCli cli;
    private Path work;

    @BeforeEach
    void setUp() {
        cli = new LockstepCli(tmp.resolve("state")).env("DEMO_API_TOKEN", SECRET);
        work = tmp.resolve("work");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    private static List<String> keys(Object o) {
        return new ArrayList<>(object(o).keySet());
    }

    private LockstepCli.Result halt() {
        return cli.run("run", "runbooks/demo.yaml", "--no-tui", "-p", "workdir=" + work, "-p", "corrupt=true");
    }

    @Test
    void validateJson() {
        LockstepCli.Result r = cli.run("validate", "runbooks/demo.yaml", "src/test/resources/runbooks/invalid/syntax.yaml",
                "--output", "json");
        assertEquals(5, r.exit(), r.all());
        assertEquals("", r.err());
        Map<String, Object> doc = object(Json.parse(r.out()));
        assertEquals(List.of("files", "problems"), keys(doc));
        assertEquals(1L, doc.get("problems"));
        Map<String, Object> ok = object(list(doc.get("files")).get(0));
        assertEquals(List.of("file", "valid", "name", "steps", "problems", "warnings"), keys(ok));
        assertEquals(List.of("runbooks/demo.yaml", true, "demo", 5L, List.of()),
                List.of(ok.get("file"), ok.get("valid"), ok.get("name"), ok.get("steps"), ok.get("problems")));
        Map<String, Object> bad = object(list(doc.get("files")).get(1));
        assertEquals(false, bad.get("valid"));
        Map<String, Object> problem = object(list(bad.get("problems")).get(0));
        assertEquals(List.of("file", "line", "column", "message"), keys(problem));
        assertEquals(List.of("src/test/resources/runbooks/invalid/syntax.yaml", 5L, 10L,
                "invalid YAML: this quoted value is never closed: add the closing quote"),
                List.of(problem.get("file"), problem.get("line"), problem.get("column"), problem.get("message")));
    }

    @Test
    void validateChecksEachFilesOwnParameters() {
        LockstepCli.Result both = cli.run("validate", "runbooks/demo.yaml", "src/test/resources/runbooks/cli/precondition.yaml",
                "-p", "rows=7", "-p", "dir=/tmp");
        assertEquals(0, both.exit(), both.all());
        LockstepCli.Result badValue = cli.run("validate", "runbooks/demo.yaml", "src/test/resources/runbooks/cli/precondition.yaml",
                "-p", "rows=many", "-p", "dir=/tmp");
        assertEquals(5, badValue.exit(), badValue.all());
        assertTrue(badValue.err().contains("runbooks/demo.yaml:17:3: parameter rows: expected a value matching"), badValue.err());
        assertTrue(badValue.out().contains("ok src/test/resources/runbooks/cli/precondition.yaml"), badValue.out());
        LockstepCli.Result unknown = cli.run("validate", "runbooks/demo.yaml", "-p", "nothere=1");
        assertEquals(2, unknown.exit(), unknown.all());
        assertTrue(unknown.err().contains("unknown parameter nothere: no runbook given declares it"), unknown.err());
    }

    @Test
    void runsAndShowJson() {
        assertEquals(3, halt().exit());
        LockstepCli.Result runs = cli.run("runs", "--output", "json");
        assertEquals(0, runs.exit(), runs.all());
        Map<String, Object> doc = object(Json.parse(runs.out()));
        assertEquals(List.of("store", "runs"), keys(doc));
        Map<String, Object> run = object(list(doc.get("runs")).get(0));
        assertEquals(List.of("id", "runbook", "title", "status", "active", "movedTo", "stepsDone", "stepsTotal", "startedAt",
                "lastEvent", "damage"), keys(run));
        assertEquals("halted", run.get("status"));
        assertEquals(2L, run.get("stepsDone"));
        assertEquals(List.of("seq", "time", "type", "step"), keys(run.get("lastEvent")));
        assertEquals("STEP_HALTED", object(run.get("lastEvent")).get("type"));

        LockstepCli.Result show = cli.run("show", (String) run.get("id"), "--output", "json");
        assertEquals(0, show.exit(), show.all());
        Map<String, Object> s = object(Json.parse(show.out()));
        assertEquals(List.of("id", "title", "status", "runbook", "startedAt", "startedBy", "movedTo", "parameters", "steps",
                "pointOfNoReturn", "events", "warnings"), keys(s));
        assertEquals(List.of("name", "path", "sha256"), keys(s.get("runbook")));
        Map<String, Object> verify = object(list(s.get("steps")).get(2));
        assertEquals(List.of("id", "state", "attempts", "startedAt", "durationMs", "reason", "outputs", "notes"), keys(verify));
        assertEquals("halted", verify.get("state"));
        assertEquals(List.of("seq", "time", "type", "step", "data"), keys(list(s.get("events")).get(0)));
        assertEquals("******", object(s.get("parameters")).get("api_token"));
        assertFalse(runs.out().contains(SECRET) || show.out().contains(SECRET));
    }

    @Test
    void planJsonIsTheDocumentItsSchemaPublishes() throws Exception {
        LockstepCli.Result r = cli.run("plan", "runbooks/demo.yaml", "-p", "workdir=" + work, "--output", "json");
        assertEquals(0, r.exit(), r.all());
        LockstepCli.Result schema = cli.run("schema", "--plan");
        assertEquals(0, schema.exit(), schema.all());
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.networknt.schema.JsonSchema validator = com.networknt.schema.JsonSchemaFactory
                .getInstance(com.networknt.schema.SpecVersion.VersionFlag.V202012).getSchema(mapper.readTree(schema.out()));
        assertEquals(java.util.Set.of(), validator.validate(mapper.readTree(r.out())), r.out());

        Map<String, Object> doc = object(Json.parse(r.out()));
        assertEquals(3L, doc.get("lockstepPlan"));
        assertTrue(doc.containsKey("pointOfNoReturn"), r.out());
        assertNull(doc.get("pointOfNoReturn"), "every step of the demo reads only or is undone");
        assertEquals("local", doc.get("target"));
        assertEquals(List.of("secret"), keys(object(doc.get("parameters")).get("api_token")));
        Map<String, Object> copy = object(list(doc.get("steps")).get(1));
        Map<String, Object> action = object(copy.get("action"));
        assertEquals(work.toString(), object(action.get("env")).get("LS_PARAMS_WORKDIR"));
        assertTrue(String.valueOf(action.get("script")).contains("else\n  cp \"${LS_PARAMS_WORKDIR}/source.tsv\""), r.out());
        assertEquals("1m", copy.get("timeout"));
        assertEquals(true, copy.get("idempotent"));
        assertEquals(List.of("MISMATCH"), object(object(list(doc.get("steps")).get(2)).get("logs")).get("haltOn"));
        assertEquals(Map.of("kind", "typed", "value", "relay"), object(list(doc.get("steps")).get(3)).get("confirm"));
        assertFalse(r.out().contains(SECRET), r.out());

        // The schema refuses what is not a plan: a step without its verdict.
        object(list(doc.get("steps")).get(0)).remove("verdict");
        assertFalse(validator.validate(mapper.readTree(Json.write(doc))).isEmpty(), "a step without a verdict is refused");
    }

    @Test
    void githubActionsGetsGroupsAnnotationsAndTheJobSummary() throws Exception {
        Path summary = tmp.resolve("summary.md");
        Files.writeString(summary, "earlier step's summary\n");
        cli.env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", summary.toString())
                .env("GITHUB_WORKSPACE", Path.of("").toAbsolutePath().toString());
        LockstepCli.Result r = halt();
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains("::group::step prepare\n"), r.out());
        assertTrue(r.out().indexOf("::endgroup::") < r.out().indexOf("ok step prepare succeeded"), "closed before the verdict");
        // The step's process may end before the halt stops it: then the reason says its exit too.
        String annotation = "::error file=runbooks/demo.yaml,line=68,col=5,title=lockstep%3A step verify halted::"
                + "step verify (Verify row counts (halts on MISMATCH)) halted: output matched haltOn /MISMATCH/{exit}%0A"
                + "evidence: table: source=500 dest=499 [MISMATCH]\n";
        assertTrue(r.out().contains(annotation.replace("{exit}", "")) || r.out().contains(annotation.replace("{exit}", "; exit 0")),
                "the annotation carries the evidence line:\n" + r.out());
        String written = Files.readString(summary);
        assertTrue(written.startsWith("earlier step's summary\n# Demo cutover"), "appended to the summary:\n" + written);
        assertTrue(written.contains("| verify | halted |"), written);
        assertTrue(written.contains("<details><summary>Timeline") && written.indexOf("<details>") < written.indexOf("| Time | Event |"),
                "the timeline is folded away:\n" + written);
        assertFalse(written.contains("plan=["), "without the steps' resolved plans:\n" + written);
        assertTrue(written.lines().allMatch(l -> l.length() < 400), "no row runs on:\n" + written);
        assertFalse(r.all().contains(SECRET) || written.contains(SECRET));

        LockstepCli.Result v = cli.run("validate", "src/test/resources/runbooks/invalid/syntax.yaml");
        assertTrue(v.out().contains("::error file=src/test/resources/runbooks/invalid/syntax.yaml,line=5,col=10,"
                + "title=lockstep validate::invalid YAML: this quoted value is never closed"), v.out());
    }

    @Test
    void junitXmlHasATestCasePerStep() throws Exception {
        Path xml = tmp.resolve("reports/lockstep.xml");
        LockstepCli.Result r = cli.run("run", "runbooks/demo.yaml", "--no-tui", "-p", "workdir=" + work, "-p", "corrupt=true",
                "--junit", xml.toString());
        assertEquals(3, r.exit(), r.all());
        String text = Files.readString(xml);
        assertFalse(text.contains(SECRET), text);
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        Element suites = d.getDocumentElement();
        assertEquals("testsuites", suites.getTagName());
        assertEquals(List.of("5", "1", "0", "2"), List.of(suites.getAttribute("tests"), suites.getAttribute("failures"),
                suites.getAttribute("errors"), suites.getAttribute("skipped")));
        NodeList cases = d.getElementsByTagName("testcase");
        assertEquals(5, cases.getLength());
        Element verify = (Element) cases.item(2);
        assertEquals("verify: Verify row counts (halts on MISMATCH)", verify.getAttribute("name"));
        Element failure = (Element) verify.getElementsByTagName("failure").item(0);
        assertEquals("halted", failure.getAttribute("type"));
        assertTrue(failure.getAttribute("message").startsWith("halted: output matched haltOn /MISMATCH/"), failure.getAttribute("message"));
        assertTrue(failure.getAttribute("message").endsWith("; evidence: table: source=500 dest=499 [MISMATCH]"),
                failure.getAttribute("message"));
        assertTrue(failure.getTextContent().contains("evidence: table: source=500 dest=499 [MISMATCH]"), failure.getTextContent());
        assertEquals(1, ((Element) cases.item(3)).getElementsByTagName("skipped").getLength());
    }
}
