package dev.lockstep.steps.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The shipped fragment and patch turn the seed-shaped stack's template into exactly the
 * seed's step-3 and step-5d templates (which the seed gives as edits by hand), and a
 * fragment or patch that does not fit the template is refused at its line.
 */
class CfnTemplateTest {
    private static final Path SEED = Path.of("src/test/resources/aws/seed-stack");
    private static final Path RUNBOOK = Path.of("runbooks/rds-cutover");

    private static MappingNode template(String file) throws Exception {
        return (MappingNode) CfnTemplate.parse(Files.readString(SEED.resolve(file)), file);
    }

    private static MappingNode addRds(MappingNode t) throws Exception {
        CfnTemplate.add(t, CfnTemplate.fragment(Files.readString(RUNBOOK.resolve("add-rds.yaml")), "add-rds.yaml"), "add-rds.yaml");
        return t;
    }

    private static MappingNode toPostgres(MappingNode t) throws Exception {
        for (CfnTemplate.Edit e : CfnTemplate.patch(Files.readString(RUNBOOK.resolve("relay-on-postgres.yaml")), "relay-on-postgres.yaml")) {
            CfnTemplate.apply(t, e);
        }
        return t;
    }

    /** A template's meaning: mappings as sorted key sets, lists in order, scalars with their tags (!Ref, !Sub). */
    private static String meaning(Node n) {
        if (n instanceof ScalarNode s) return s.getTag().getValue() + ":" + s.getValue();
        if (n instanceof SequenceNode seq) {
            List<String> items = new ArrayList<>();
            for (Node x : seq.getValue()) items.add(meaning(x));
            return seq.getTag().getValue() + items;
        }
        List<String> entries = new ArrayList<>();
        for (NodeTuple t : ((MappingNode) n).getValue()) {
            entries.add(((ScalarNode) t.getKeyNode()).getValue() + "=" + meaning(t.getValueNode()));
        }
        entries.sort(null);
        return n.getTag().getValue() + entries;
    }

    @Test
    void theFragmentMakesTheSeedsStep3TemplateAndThePatchItsStep5dTemplate() throws Exception {
        MappingNode step3 = addRds(template("zooid-relay-cloudformation.yaml"));
        assertEquals(meaning(template("zooid-relay-cloudformation.step3.yaml")), meaning(step3));
        // Written out and read back, it means the same: intrinsics and quoted scalars survive.
        assertEquals(meaning(step3), meaning(CfnTemplate.parse(CfnTemplate.write(step3), "written")));
        MappingNode step5d = toPostgres(step3);
        assertEquals(meaning(template("zooid-relay-cloudformation.step5d.yaml")), meaning(step5d));
        String text = CfnTemplate.write(step5d);
        assertTrue(text.contains("!Sub 'postgres://zooid:${DBPassword}@${RDSInstance.Endpoint.Address}:5432/zooid?sslmode=require'"), text);
        assertTrue(text.contains("EngineVersion: '16'"), text);
    }

    @Test
    void theDiffShowsOnlyWhatChanged() throws Exception {
        MappingNode t = template("zooid-relay-cloudformation.step3.yaml");
        String before = CfnTemplate.write(t);
        String after = CfnTemplate.write(toPostgres(t));
        List<String> diff = CfnTemplate.diff(before, after, "stack", "deployed");
        assertTrue(diff.contains("-        - Name: DATA") || diff.stream().anyMatch(l -> l.startsWith("-") && l.contains("Name: DATA")), String.join("\n", diff));
        assertTrue(diff.stream().anyMatch(l -> l.startsWith("+") && l.contains("DATABASE_URL")), String.join("\n", diff));
        assertTrue(diff.stream().noneMatch(l -> (l.startsWith("+") || l.startsWith("-")) && l.contains("RDSSubnetGroup")), String.join("\n", diff));
        assertEquals(List.of(), CfnTemplate.diff(before, before, "a", "b"));
    }

    @Test
    void aFragmentNamingWhatTheTemplateHasIsRefusedAtItsLine() throws Exception {
        MappingNode step3 = template("zooid-relay-cloudformation.step3.yaml");
        CfnTemplate.Problem p = assertThrows(CfnTemplate.Problem.class, () -> addRds(step3));
        assertTrue(p.getMessage().startsWith("add-rds.yaml:6:3: Parameters.DBPassword is in the stack's template already"), p.getMessage());
        CfnTemplate.Problem clash = assertThrows(CfnTemplate.Problem.class, () -> CfnTemplate.add(template("zooid-relay-cloudformation.yaml"),
                CfnTemplate.fragment("Resources:\n  AdminPubkey: { Type: AWS::SNS::Topic }\n", "f.yaml"), "f.yaml"));
        assertTrue(clash.getMessage().startsWith("f.yaml:2:3: AdminPubkey is a name in the template's Parameters already"), clash.getMessage());
        CfnTemplate.Problem section = assertThrows(CfnTemplate.Problem.class, () -> CfnTemplate.fragment("Transform: x\n", "g.yaml"));
        assertTrue(section.getMessage().startsWith("g.yaml:1:1: unknown section 'Transform'"), section.getMessage());
    }

    @Test
    void aPatchThatDoesNotFitTheTemplateIsRefusedNotHalfApplied() throws Exception {
        // Applied twice: the second time DATA is gone.
        MappingNode t = toPostgres(template("zooid-relay-cloudformation.step3.yaml"));
        CfnTemplate.Problem again = assertThrows(CfnTemplate.Problem.class, () -> toPostgres(t));
        assertEquals("relay-on-postgres.yaml:8:3: Resources.ZooidRelayTaskDefinition.Properties.ContainerDefinitions[Name=zooid-relay]"
                + ".Environment[Name=DATA]: Environment[Name=DATA] matches 0 items of the stack's template, expected exactly one", again.getMessage());
        CfnTemplate.Edit twice = CfnTemplate.patch("- add: Resources.ZooidRelayTaskDefinition.Properties.ContainerDefinitions[Name=zooid-relay].Environment\n"
                + "  value: { Name: DATABASE_URL, Value: x }\n", "a.yaml").get(0);
        CfnTemplate.Problem dup = assertThrows(CfnTemplate.Problem.class, () -> CfnTemplate.apply(t, twice));
        assertTrue(dup.getMessage().endsWith("the list has this item already (Name DATABASE_URL)"), dup.getMessage());
        CfnTemplate.Edit absent = CfnTemplate.patch("- remove: Resources.Nope.Properties\n", "p.yaml").get(0);
        CfnTemplate.Problem p = assertThrows(CfnTemplate.Problem.class, () -> CfnTemplate.apply(t, absent));
        assertEquals("p.yaml:1:3: Resources.Nope.Properties: the stack's template has no Resources.Nope", p.getMessage());
        CfnTemplate.Problem path = assertThrows(CfnTemplate.Problem.class, () -> CfnTemplate.patch("- set: Resources\n  value: 1\n", "q.yaml"));
        assertTrue(path.getMessage().startsWith("q.yaml:1:8: bad path 'Resources'"), path.getMessage());
        CfnTemplate.Problem op = assertThrows(CfnTemplate.Problem.class, () -> CfnTemplate.patch("- replace: Resources.X\n", "r.yaml"));
        assertTrue(op.getMessage().startsWith("r.yaml:1:3: unknown key 'replace' in an edit"), op.getMessage());
    }
}
