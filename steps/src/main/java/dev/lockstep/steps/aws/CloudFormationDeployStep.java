package dev.lockstep.steps.aws;

import dev.lockstep.spi.Digests;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.Problems;
import dev.lockstep.spi.Reconciliation;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.UserFiles;
import dev.lockstep.spi.Value;
import dev.lockstep.spi.WouldFail;
import dev.lockstep.spi.WouldHalt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.AlreadyExistsException;
import software.amazon.awssdk.services.cloudformation.model.Change;
import software.amazon.awssdk.services.cloudformation.model.ChangeSetType;
import software.amazon.awssdk.services.cloudformation.model.DescribeChangeSetResponse;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.ResourceChange;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackEvent;
import software.amazon.awssdk.services.cloudformation.model.TemplateStage;

/**
 * {@code cloudformation.deploy}: creates or updates a stack through a change set. Dry-run
 * builds the change set, shows each resource change (replacements loudly) and the guard's
 * verdict, and deletes it unexecuted. A run creates it, checks it against the guard (a
 * change set that breaks it is deleted and the run HALTS, with the offending changes as
 * evidence), executes it and waits, showing the stack's events; on failure it names the
 * resources that failed and why.
 *
 * <p>The template is a file beside the runbook, or {@code current}: the stack's own template
 * as CloudFormation has it, so a runbook works on the stack as it is. Either may be changed by
 * {@code fragments} (template pieces whose entries are added; a name the template has already
 * is refused) and {@code patches} (set/add/remove by path; see {@link CfnTemplate}); the plan
 * shows the resulting template's diff. With {@code template: current}, parameters not given
 * keep their values.
 *
 * <p>The change set's name is fixed by the run and its ARN journaled: a resumed step finds
 * the update it started instead of starting another, and a retry after an update ended makes
 * a new one. With {@code restoreOnRollback}, the template and parameter values the stack had
 * before are journaled, and rolling back deploys them again under the mirrored guard.
 *
 * <pre>
 * - id: add-rds
 *   uses: cloudformation.deploy
 *   with:
 *     stack: "${{ params.stack }}"
 *     template: current
 *     fragments: [rds-cutover/add-rds.yaml]
 *     parameters: { DBPassword: "${{ params.db_password }}" }
 *     guard: { allow: [Add] }
 *   timeout: 40m
 * </pre>
 */
public final class CloudFormationDeployStep implements StepType<CloudFormationDeployStep.Config> {
    static final String CURRENT = "current";
    private static final String CHANGE_SET = "changeSet";
    private static final String EXECUTED = "executed";
    /** The change set whose outcome this step saw last: the next attempt makes a new one. */
    private static final String ENDED = "ended";
    private static final String PREVIOUS_TEMPLATE = "previousTemplate";
    private static final String PREVIOUS_PARAMETERS = "previousParameters";
    /** The rollback's own change set ids live under this prefix, apart from the step's. */
    private static final String UNDO = "undo.";

    public record Config(
            @Key(value = "the stack's name", required = true) String stack,
            @Key(value = "the template file, relative to the runbook, or current: the stack's own template", required = true) String template,
            @Key("template fragments (files) whose Parameters, Resources, Outputs, Conditions and Mappings are added") List<String> fragments,
            @Key("patch files: lists of set/add/remove edits by path") List<String> patches,
            @Key("parameter values (a secret parameter's value is never shown)") Map<String, String> parameters,
            @Key("parameters that keep their current value") List<String> usePrevious,
            @Key("capabilities to acknowledge (default CAPABILITY_IAM, CAPABILITY_NAMED_IAM)") List<String> capabilities,
            @Key("which changes the change set may make: allow and/or forbid Add, Modify, Remove, Replace, Conditional, "
                    + "for every resource or per logical id") Value guard,
            @Key("rolling back deploys the template and parameter values the stack had before (default false)") Boolean restoreOnRollback,
            @Key("how often to look (default 5s)") Duration interval) {
        public Config {
            fragments = fragments == null ? List.of() : fragments;
            patches = patches == null ? List.of() : patches;
            parameters = parameters == null ? Map.of() : parameters;
            usePrevious = usePrevious == null ? List.of() : usePrevious;
            capabilities = capabilities == null ? List.of("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM") : capabilities;
            restoreOnRollback = Boolean.TRUE.equals(restoreOnRollback);
            interval = interval == null ? Duration.ofSeconds(5) : interval;
            ChangeSetGuard.parse(guard);
        }

        ChangeSetGuard changeSetGuard() {
            return ChangeSetGuard.parse(guard);
        }

        boolean fromStack() {
            return CURRENT.equals(template);
        }
    }

    @Override
    public String name() {
        return "cloudformation.deploy";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "create or update a stack through a change set, from a template file or `template: current` (the "
                + "stack's own template, as CloudFormation has it), changed by `fragments` and `patches` "
                + "([runbook-reference.md](runbook-reference.md#fragments-and-patches)); "
                + "`plan` shows the resulting template's diff, builds the change set, shows every resource change — a "
                + "replacement loudly (`!! REPLACED`, `!! MAY BE REPLACED`) — and the `guard`'s verdict, and deletes it"
                + " unexecuted; a run executes it and shows the stack's events, naming failed resources and why. A "
                + "change set that breaks the `guard` is deleted and the run **halts** with the offending changes as "
                + "evidence (`plan` says WOULD HALT and exits 3). `parameters`, `usePrevious` (with `template: current`"
                + " every other parameter keeps its value; NoEcho values are never shown); `restoreOnRollback: true` "
                + "journals the template and parameter values the stack had, and rolling back deploys them again under "
                + "the mirrored guard. Resume re-attaches to the change set or the update the step started (one made or"
                + " executed just before a crash included: never executed twice); a retry after the update ended makes "
                + "a new one";
    }

    @Override
    public String example() {
        return """
                - id: add-rds
                  uses: cloudformation.deploy
                  with:
                    stack: "${{ params.stack }}"
                    template: current
                    fragments: [rds-cutover/add-rds.yaml]
                    parameters: { DBPassword: "${{ params.db_password }}" }
                    guard: { allow: [Add] }
                  timeout: 40m
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("status", ResultShape.VALUE, "outputs", ResultShape.mapOf(ResultShape.VALUE),
                "changes", ResultShape.listOf(ResultShape.object("action", ResultShape.VALUE, "resource", ResultShape.VALUE,
                        "type", ResultShape.VALUE, "replacement", ResultShape.VALUE)));
    }

    /** Template files, fragments and patches written literally are read when the runbook loads. */
    @Override
    public void checkFiles(Value.Mapping with, Path folder, Problems problems) {
        if (with.get("template") instanceof Value.Scalar t && t.value() instanceof String name && !t.holdsExpression()
                && !name.equals(CURRENT) && !Files.isRegularFile(folder.resolve(name))) {
            problems.add(t.position(), "with.template: no file " + folder.resolve(name) + " (or write current for the stack's own template)");
        }
        for (String key : List.of("fragments", "patches")) {
            Value v = with.get(key);
            List<Value> items = v instanceof Value.Sequence seq ? seq.items() : v == null ? List.of() : List.of(v);
            for (Value item : items) {
                if (!(item instanceof Value.Scalar s) || !(s.value() instanceof String name) || s.holdsExpression()) continue;
                Path file = folder.resolve(name);
                try {
                    String text = read(file);
                    if (key.equals("fragments")) CfnTemplate.fragment(text, file.toString());
                    else CfnTemplate.patch(text, file.toString());
                } catch (CfnTemplate.Problem p) {
                    problems.add(p.at, p.detail);
                } catch (java.nio.file.NoSuchFileException e) {
                    problems.add(s.position(), "with." + key + ": no file " + file);
                } catch (IOException e) {
                    problems.add(s.position(), "with." + key + ": cannot read " + file + ": " + e.getMessage());
                }
            }
        }
    }

    private static String read(Path file) throws IOException {
        return UserFiles.readString(file, 1 << 20);
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("deploy " + (c.fromStack() ? "the stack's current template" : c.template())
                + (c.fragments().isEmpty() ? "" : " + fragments " + String.join(", ", c.fragments()))
                + (c.patches().isEmpty() ? "" : " + patches " + String.join(", ", c.patches()))
                + " to stack " + c.stack() + " through a change set");
        lines.addAll(parameterLines(c, List.of()));
        if (c.changeSetGuard() != null) lines.add("guard: " + c.changeSetGuard().describe());
        if (c.restoreOnRollback()) lines.add("rollback: deploys the template and parameters the stack had before");
        return lines;
    }

    private static List<String> parameterLines(Config c, List<String> noEcho) {
        List<String> lines = new ArrayList<>();
        c.parameters().forEach((k, v) -> lines.add("parameter " + k + " = " + (noEcho.contains(k) ? "**** (NoEcho)" : v)));
        if (!c.usePrevious().isEmpty()) lines.add("keep the current value of " + String.join(", ", c.usePrevious()));
        return lines;
    }

    @Override
    public void prepare(Config c, StepContext ctx) throws Exception {
        built(AwsSession.of(ctx.settings()).cloudFormation(), c, ctx);
    }

    /** The template as the run would make it; one that cannot be made is WOULD FAIL (no earlier step changes the patches). */
    private static Built built(CloudFormationClient cf, Config c, StepContext ctx) throws Exception {
        try {
            return build(cf, c, ctx.workDir());
        } catch (IllegalStateException | IOException e) {
            throw new WouldFail(e.getMessage());
        }
    }

    /** Builds the template and the change set, shows both, deletes the change set: the changes, nothing changed. */
    @Override
    public List<String> preview(Config c, StepContext ctx) throws Exception {
        CloudFormationClient cf = AwsSession.of(ctx.settings()).cloudFormation();
        Built built = built(cf, c, ctx);
        List<String> lines = new ArrayList<>(plan(c).subList(0, 1));
        lines.addAll(parameterLines(c, built.noEcho()));
        lines.addAll(built.diff());
        String nothing = protectsNothing(cf, c, built);
        if (nothing != null) throw new WouldHalt(nothing, lines);
        String name = "lockstep-preview-" + Long.toHexString(System.nanoTime());
        String arn = create(cf, c.stack(), built.body(), parameters(cf, c, built), c.capabilities(), name);
        DescribeChangeSetResponse d;
        try {
            d = awaitChangeSet(cf, arn, c.interval());
        } finally {
            cf.deleteChangeSet(b -> b.changeSetName(arn));
        }
        lines.addAll(describe(d));
        List<String> offending = verdict(c.changeSetGuard(), d, lines);
        if (!offending.isEmpty()) throw new WouldHalt(offending.size() + " change(s) break the guard: " + String.join("; ", offending), lines);
        return lines;
    }

    @Override
    public Reconciliation reconcile(Config c, Map<String, String> externalIds, boolean idempotent) {
        return Reconciliation.RERUN;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        try {
            CloudFormationClient cf = AwsSession.of(ctx.settings()).cloudFormation();
            return deploy(cf, c.stack(), c.changeSetGuard(), c.interval(), ctx, "", () -> {
                Built built = build(cf, c, ctx.workDir());
                parameterLines(c, built.noEcho()).forEach(ctx::line);
                built.diff().forEach(ctx::line);
                String nothing = protectsNothing(cf, c, built);
                if (nothing != null) throw new GuardProtectsNothing(nothing);
                if (c.restoreOnRollback()) remember(cf, c.stack(), ctx);
                return new Body(built.body(), parameters(cf, c, built), c.capabilities());
            });
        } catch (GuardProtectsNothing e) {
            return StepResult.halted(e.getMessage() + "; no change set was made, nothing was changed", e.getMessage(), Map.of());
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }

    /** A guard naming a logical id that neither template has: it would let anything happen to what was meant. */
    private static final class GuardProtectsNothing extends Exception {
        GuardProtectsNothing(String why) {
            super(why);
        }
    }

    /**
     * Why the guard protects nothing somewhere (see {@link ChangeSetGuard#namesNothing}), or null.
     * The ids are those of the template deployed and of the stack's own, before the change.
     */
    private static String protectsNothing(CloudFormationClient cf, Config c, Built built) throws CfnTemplate.Problem {
        ChangeSetGuard guard = c.changeSetGuard();
        if (guard == null || guard.named().isEmpty() || built.logicalIds() == null) return null;
        Set<String> ids = new LinkedHashSet<>(built.logicalIds());
        if (!c.fromStack() && (boolean) CloudFormationStatusStep.status(cf, c.stack()).get("exists")) {
            String name = "stack " + c.stack();
            String current = cf.getTemplate(b -> b.stackName(c.stack()).templateStage(TemplateStage.ORIGINAL)).templateBody();
            ids.addAll(CfnTemplate.resources(CfnTemplate.mapping(CfnTemplate.parse(current, name), name, "a template")));
        }
        return guard.namesNothing(ids);
    }

    @Override
    public boolean hasRollback(Config c) {
        return c.restoreOnRollback();
    }

    /** Deploys the template and parameter values journaled before the step's change, under the mirrored guard. */
    @Override
    public List<String> planRollback(Config c) {
        return List.of("deploy again, through a change set, the template and parameter values stack " + c.stack()
                        + " had before this step (journaled before its change set is executed)",
                c.changeSetGuard() == null ? "no guard" : "guard, mirrored: " + c.changeSetGuard().mirrored().describe());
    }

    @Override
    public StepResult rollback(Config c, StepContext ctx) throws Exception {
        String template = ctx.externalIds().get(PREVIOUS_TEMPLATE);
        if (!ctx.externalIds().containsKey(EXECUTED) || template == null) {
            return StepResult.ok("nothing was deployed: nothing to undo", Map.of());
        }
        ChangeSetGuard guard = c.changeSetGuard();
        try {
            CloudFormationClient cf = AwsSession.of(ctx.settings()).cloudFormation();
            return deploy(cf, c.stack(), guard == null ? null : guard.mirrored(), c.interval(), ctx, UNDO, () -> {
                List<Parameter> params = new ArrayList<>();
                Object saved = Json.parse(ctx.externalIds().getOrDefault(PREVIOUS_PARAMETERS, "{}"));
                ((Map<?, ?>) saved).forEach((k, v) -> params.add(v == null
                        ? Parameter.builder().parameterKey((String) k).usePreviousValue(true).build()
                        : Parameter.builder().parameterKey((String) k).parameterValue((String) v).build()));
                ctx.line("restoring the template and parameters stack " + c.stack() + " had before step " + ctx.stepId());
                return new Body(template, params, c.capabilities());
            });
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }

    /** What a change set is made of. */
    private record Body(String template, List<Parameter> parameters, List<String> capabilities) {}

    private interface BodySource {
        Body get() throws Exception;
    }

    /**
     * The template to deploy, what it is made from, and its diff against the stack's; {@code logicalIds}
     * are its resources' and, with {@code template: current}, the stack's own (null: not YAML, CloudFormation's to read).
     */
    private record Built(String body, List<String> diff, List<String> noEcho, List<String> declared, Set<String> logicalIds) {}

    private static Built build(CloudFormationClient cf, Config c, Path dir) throws Exception {
        String base;
        String baseName;
        if (c.fromStack()) {
            if (!(boolean) CloudFormationStatusStep.status(cf, c.stack()).get("exists")) {
                throw new IllegalStateException("stack " + c.stack() + " does not exist: template: current needs the stack");
            }
            base = cf.getTemplate(b -> b.stackName(c.stack()).templateStage(TemplateStage.ORIGINAL)).templateBody();
            baseName = "stack " + c.stack();
        } else {
            base = read(dir.resolve(c.template()));
            baseName = c.template();
        }
        MappingNode root;
        try {
            root = CfnTemplate.mapping(CfnTemplate.parse(base, baseName), baseName, "a template");
        } catch (CfnTemplate.Problem p) {
            if (!c.fragments().isEmpty() || !c.patches().isEmpty()) throw new IllegalStateException(p.getMessage());
            // A template that is not YAML (nor JSON) is CloudFormation's to refuse, with its own words.
            return new Built(base, List.of(), List.of(), List.of(), null);
        }
        Set<String> ids = new LinkedHashSet<>(CfnTemplate.resources(root));
        if (c.fragments().isEmpty() && c.patches().isEmpty()) {
            return new Built(base, List.of(), CfnTemplate.noEcho(root), CfnTemplate.parameters(root), ids);
        }
        String before = CfnTemplate.write(root);
        try {
            for (String f : c.fragments()) {
                Path file = dir.resolve(f);
                CfnTemplate.add(root, CfnTemplate.fragment(read(file), file.toString()), file.toString());
            }
            for (String p : c.patches()) {
                Path file = dir.resolve(p);
                for (CfnTemplate.Edit e : CfnTemplate.patch(read(file), file.toString())) CfnTemplate.apply(root, e);
            }
        } catch (CfnTemplate.Problem p) {
            throw new IllegalStateException("the template cannot be made: " + p.getMessage());
        }
        String after = CfnTemplate.write(root);
        if (after.getBytes(StandardCharsets.UTF_8).length > CfnTemplate.MAX_BODY) {
            throw new IllegalStateException("the template is " + after.getBytes(StandardCharsets.UTF_8).length
                    + " bytes: CloudFormation takes at most " + CfnTemplate.MAX_BODY + " inline");
        }
        List<String> diff = CfnTemplate.diff(before, after, baseName, "deployed");
        ids.addAll(CfnTemplate.resources(root));
        return new Built(after, diff.isEmpty() ? List.of("template: unchanged") : diff, CfnTemplate.noEcho(root),
                CfnTemplate.parameters(root), ids);
    }

    /**
     * The change set's parameters: those given, those to keep, and with {@code template: current}
     * every other parameter of the stack that the template still declares (the stack as it is).
     */
    private static List<Parameter> parameters(CloudFormationClient cf, Config c, Built built) {
        List<Parameter> params = new ArrayList<>();
        c.parameters().forEach((k, v) -> params.add(Parameter.builder().parameterKey(k).parameterValue(v).build()));
        Set<String> keep = new LinkedHashSet<>(c.usePrevious());
        if (c.fromStack()) {
            for (Parameter p : stack(cf, c.stack()).parameters()) {
                if (built.declared().contains(p.parameterKey()) && !c.parameters().containsKey(p.parameterKey())) keep.add(p.parameterKey());
            }
        }
        for (String k : keep) params.add(Parameter.builder().parameterKey(k).usePreviousValue(true).build());
        return params;
    }

    /** Journals the stack's template and parameter values (NoEcho ones as "keep"), for restoreOnRollback. */
    private static void remember(CloudFormationClient cf, String stackName, StepContext ctx) throws CfnTemplate.Problem {
        String template = cf.getTemplate(b -> b.stackName(stackName).templateStage(TemplateStage.ORIGINAL)).templateBody();
        List<String> noEcho = CfnTemplate.noEcho(CfnTemplate.mapping(CfnTemplate.parse(template, "stack " + stackName),
                "stack " + stackName, "a template"));
        Map<String, Object> values = new LinkedHashMap<>();
        for (Parameter p : stack(cf, stackName).parameters()) {
            values.put(p.parameterKey(), noEcho.contains(p.parameterKey()) ? null : p.parameterValue());
        }
        ctx.recordExternalId(PREVIOUS_TEMPLATE, template);
        ctx.recordExternalId(PREVIOUS_PARAMETERS, Json.write(values));
    }

    /**
     * One deploy through a change set, resumable: re-attaches to the update or the change set an
     * earlier, interrupted attempt journaled (ids under {@code space}), else makes a new one.
     */
    private static StepResult deploy(CloudFormationClient cf, String stack, ChangeSetGuard guard, Duration interval,
                                     StepContext ctx, String space, BodySource source) throws Exception {
        Map<String, String> ids = ctx.externalIds();
        Instant since = Instant.now().minusSeconds(1);
        String arn = ids.get(space + CHANGE_SET);
        String ended = ids.get(space + ENDED);
        boolean open = arn != null && !arn.equals(ended);
        if (open && arn.equals(ids.get(space + EXECUTED))) {
            ctx.line("re-attaching to the update started by change set " + arn);
            return finish(cf, stack, ctx, space, arn, awaitStack(cf, stack, interval, ctx, since), List.of());
        }
        if (open) {
            ctx.line("re-attaching to change set " + arn);
        } else {
            Body body = source.get();
            String name = "lockstep-" + AwsErrors.runToken(ctx, space + (ended == null ? "" : ended), 20);
            try {
                arn = create(cf, stack, body.template(), body.parameters(), body.capabilities(), name);
            } catch (AlreadyExistsException e) {
                // Made by this attempt before a crash kept its ARN from the journal: the name is the attempt's own.
                arn = cf.describeChangeSet(b -> b.stackName(stack).changeSetName(name)).changeSetId();
                ctx.line("re-attaching to change set " + name + ", made before lockstep stopped");
            }
            ctx.recordExternalId(space + CHANGE_SET, arn);
        }
        DescribeChangeSetResponse d = awaitChangeSet(cf, arn, interval);
        List<Map<String, Object>> changes = changes(d);
        if (d.statusAsString().equals("FAILED")) {
            String why = String.valueOf(d.statusReason());
            ctx.recordExternalId(space + ENDED, arn);
            if (why.contains("didn't contain changes") || why.contains("No updates")) {
                ctx.line("no changes to deploy");
                return StepResult.ok("stack " + stack + " is already up to date", result(cf, stack, changes));
            }
            return StepResult.failed("change set failed: " + why, Map.of());
        }
        if (d.executionStatusAsString() != null && d.executionStatusAsString().startsWith("EXECUTE_")) {
            // Executed before a crash kept that in the journal: follow the update, never execute twice.
            ctx.recordExternalId(space + EXECUTED, arn);
            ctx.line("change set " + arn + " was executed already (" + d.executionStatusAsString() + "): following the update");
            return finish(cf, stack, ctx, space, arn, awaitStack(cf, stack, interval, ctx, since), changes);
        }
        List<String> lines = new ArrayList<>(describe(d));
        List<String> offending = verdict(guard, d, lines);
        lines.forEach(ctx::line);
        if (!offending.isEmpty()) {
            String changeSet = arn;
            cf.deleteChangeSet(b -> b.changeSetName(changeSet));
            ctx.line("change set deleted unexecuted: nothing was changed");
            ctx.recordExternalId(space + ENDED, arn);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("changes", changes);
            return StepResult.halted(offending.size() + " change(s) break the guard (" + guard.describe()
                    + "); the change set was deleted, nothing was changed", String.join("; ", offending), data);
        }
        String changeSet = arn;
        cf.executeChangeSet(b -> b.changeSetName(changeSet).clientRequestToken(Digests.sha256(changeSet).substring(0, 32)));
        ctx.recordExternalId(space + EXECUTED, arn);
        return finish(cf, stack, ctx, space, arn, awaitStack(cf, stack, interval, ctx, since), changes);
    }

    private static StepResult finish(CloudFormationClient cf, String stack, StepContext ctx, String space, String arn,
                                     StepResult r, List<Map<String, Object>> changes) {
        ctx.recordExternalId(space + ENDED, arn);
        Map<String, Object> data = new LinkedHashMap<>(r.data());
        data.put("changes", changes);
        return new StepResult(r.ok(), r.summary(), data, null);
    }

    private static String create(CloudFormationClient cf, String stack, String body, List<Parameter> params,
                                 List<String> capabilities, String name) {
        boolean exists = (boolean) CloudFormationStatusStep.status(cf, stack).get("exists");
        return cf.createChangeSet(b -> b.stackName(stack).changeSetName(name).templateBody(body).parameters(params)
                .capabilitiesWithStrings(capabilities)
                .changeSetType(exists ? ChangeSetType.UPDATE : ChangeSetType.CREATE)).id();
    }

    private static DescribeChangeSetResponse awaitChangeSet(CloudFormationClient cf, String arn, Duration interval)
            throws InterruptedException {
        while (true) {
            DescribeChangeSetResponse d = cf.describeChangeSet(b -> b.changeSetName(arn));
            String s = d.statusAsString();
            if (s.equals("CREATE_COMPLETE") || s.equals("FAILED")) return d;
            Thread.sleep(interval.toMillis());
        }
    }

    /** One line per resource change; a replacement, certain or possible, is said loudly. */
    static List<String> describe(DescribeChangeSetResponse d) {
        List<String> lines = new ArrayList<>();
        if (d.changes().isEmpty()) lines.add("change set: no resource changes");
        // By logical id, not in the service's order: the listing is part of the plan a run compares.
        List<Change> byResource = new ArrayList<>(d.changes());
        byResource.sort(java.util.Comparator.comparing((Change ch) -> String.valueOf(ch.resourceChange().logicalResourceId()))
                .thenComparing(ch -> String.valueOf(ch.resourceChange().actionAsString())));
        for (Change ch : byResource) {
            ResourceChange r = ch.resourceChange();
            String kind = ChangeSetGuard.kind(r);
            lines.add(String.format("%-7s %s (%s)%s", r.actionAsString(), r.logicalResourceId(), r.resourceType(),
                    kind.equals("Replace") ? "  !! REPLACED: deleted and created anew (replacement True)"
                            : kind.equals("Conditional") ? "  !! MAY BE REPLACED (replacement Conditional)"
                            : r.replacementAsString() == null ? "" : " replacement: " + r.replacementAsString()));
        }
        return lines;
    }

    /** Adds the guard's verdict to the lines; returns the changes that break it (none without a guard). */
    private static List<String> verdict(ChangeSetGuard guard, DescribeChangeSetResponse d, List<String> lines) {
        if (guard == null) return List.of();
        List<String> offending = guard.offending(d.changes().stream().map(Change::resourceChange).toList());
        if (offending.isEmpty()) {
            lines.add("guard (" + guard.describe() + "): every change allowed");
        } else {
            lines.add("guard (" + guard.describe() + "): BROKEN by " + offending.size() + " change(s):");
            for (String o : offending) lines.add("  !! " + o);
        }
        return offending;
    }

    private static List<Map<String, Object>> changes(DescribeChangeSetResponse d) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Change ch : d.changes()) {
            ResourceChange r = ch.resourceChange();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("action", r.actionAsString());
            m.put("resource", r.logicalResourceId());
            m.put("type", r.resourceType());
            m.put("replacement", r.replacementAsString());
            out.add(m);
        }
        return out;
    }

    private static StepResult awaitStack(CloudFormationClient cf, String stack, Duration interval, StepContext ctx, Instant since)
            throws InterruptedException {
        Set<String> shown = new HashSet<>();
        List<String> failed = new ArrayList<>();
        while (true) {
            List<StackEvent> events = new ArrayList<>(cf.describeStackEvents(b -> b.stackName(stack)).stackEvents());
            java.util.Collections.reverse(events);
            for (StackEvent e : events) {
                if (e.timestamp() == null || e.timestamp().isBefore(since) || !shown.add(e.eventId())) continue;
                ctx.line(e.logicalResourceId() + " " + e.resourceStatusAsString()
                        + (e.resourceStatusReason() != null ? ": " + e.resourceStatusReason() : ""));
                if (e.resourceStatusAsString().endsWith("_FAILED")) {
                    failed.add(e.logicalResourceId() + " (" + e.resourceStatusReason() + ")");
                }
            }
            String status = (String) CloudFormationStatusStep.status(cf, stack).get("status");
            if (status.endsWith("_IN_PROGRESS")) {
                Thread.sleep(interval.toMillis());
                continue;
            }
            Map<String, Object> data = result(cf, stack, List.of());
            if (status.endsWith("_COMPLETE") && !status.contains("ROLLBACK")) {
                return StepResult.ok("stack " + stack + " is " + status, data);
            }
            return StepResult.failed("stack " + stack + " is " + status
                    + (failed.isEmpty() ? "" : "; failed: " + String.join(", ", failed)), data);
        }
    }

    private static Stack stack(CloudFormationClient cf, String stack) {
        return cf.describeStacks(b -> b.stackName(stack)).stacks().get(0);
    }

    private static Map<String, Object> result(CloudFormationClient cf, String stack, List<Map<String, Object>> changes) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        Stack s = stack(cf, stack);
        for (Output o : s.outputs()) outputs.put(o.outputKey(), o.outputValue());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", s.stackStatusAsString());
        data.put("outputs", outputs);
        data.put("changes", changes);
        return data;
    }
}
