package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.Reconciliation;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBSnapshot;
import software.amazon.awssdk.services.rds.model.DbSnapshotNotFoundException;

/**
 * {@code rds.snapshot}: takes a snapshot of an RDS instance and waits until it is
 * available: a natural safety step before a cutover. The snapshot's name is fixed by
 * the run (or given), so a resumed step finds the snapshot it started instead of
 * taking another. A rollback leaves snapshots alone.
 *
 * <pre>
 * - id: backup
 *   uses: rds.snapshot
 *   with: { instance: "${{ params.stack }}-db" }
 *   outputs: { snapshot: "${{ result.snapshot }}" }
 * </pre>
 */
public final class RdsSnapshotStep implements StepType<RdsSnapshotStep.Config> {
    public record Config(
            @Key(value = "the DB instance identifier", required = true) String instance,
            @Key("the snapshot's name (default: INSTANCE-lockstep-<from the run id>)") String snapshot,
            @Key("how often to look (default 15s)") Duration interval) {
        public Config {
            interval = interval == null ? Duration.ofSeconds(15) : interval;
        }
    }

    @Override
    public String name() {
        return "rds.snapshot";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "a snapshot (named by the run, so resume finds it), and wait until it is available";
    }

    @Override
    public String example() {
        return """
                - id: backup
                  uses: rds.snapshot
                  with: { instance: "${{ params.stack }}-db" }
                  outputs: { snapshot: "${{ result.snapshot }}" }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("snapshot", ResultShape.VALUE, "arn", ResultShape.VALUE);
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("snapshot RDS instance " + c.instance() + (c.snapshot() != null ? " as " + c.snapshot() : "")
                + " and wait until the snapshot is available");
    }

    @Override
    public Reconciliation reconcile(Config c, Map<String, String> externalIds, boolean idempotent) {
        return Reconciliation.RERUN;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws InterruptedException {
        String name = c.snapshot() != null ? c.snapshot() : c.instance() + "-lockstep-"
                + AwsErrors.runToken(ctx, 12);
        try {
            RdsClient rds = AwsSession.of(ctx.settings()).rds();
            DBSnapshot s = existing(rds, name);
            if (s == null) {
                ctx.recordExternalId("snapshot", name);
                s = rds.createDBSnapshot(b -> b.dbInstanceIdentifier(c.instance()).dbSnapshotIdentifier(name)).dbSnapshot();
                ctx.line("snapshot " + name + " started");
            } else {
                ctx.line("snapshot " + name + " already exists: waiting for it");
            }
            while (!"available".equals(s.status())) {
                ctx.line("snapshot " + name + " is " + s.status());
                Thread.sleep(c.interval().toMillis());
                s = existing(rds, name);
                if (s == null) return StepResult.failed("snapshot " + name + " disappeared", Map.of());
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("snapshot", name);
            data.put("arn", s.dbSnapshotArn());
            return StepResult.ok("snapshot " + name + " is available", data);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }

    private static DBSnapshot existing(RdsClient rds, String name) {
        try {
            return rds.describeDBSnapshots(b -> b.dbSnapshotIdentifier(name)).dbSnapshots().stream().findFirst().orElse(null);
        } catch (DbSnapshotNotFoundException e) {
            return null;
        }
    }
}
