package dev.lockstep.steps.aws;

import dev.lockstep.spi.Digests;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** AWS failures as one line: the service's error code and message, not a stack trace. */
final class AwsErrors {
    private AwsErrors() {}

    /** A step that an AWS error stopped. */
    static StepResult failed(SdkException e) {
        return StepResult.failed(describe(e), Map.of());
    }

    /**
     * A token fixed by the run and the step (idempotency tokens, change-set and snapshot
     * names): an execution resumed after a crash asks for the same thing again, not a second one.
     */
    static String runToken(StepContext ctx, int length) {
        return runToken(ctx, "", length);
    }

    /** The same, for one of several things a step starts in turn ({@code salt} names which: the one before it). */
    static String runToken(StepContext ctx, String salt, int length) {
        return Digests.sha256(ctx.env().getOrDefault("LOCKSTEP_RUN_ID", "") + "/" + ctx.stepId()
                + (salt.isEmpty() ? "" : "/" + salt)).substring(0, length);
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof SdkException)) t = t.getCause();
        if (t instanceof AwsServiceException a && a.awsErrorDetails() != null) {
            var d = a.awsErrorDetails();
            return d.serviceName() + " " + (d.errorCode() != null ? d.errorCode() : "HTTP " + a.statusCode()) + ": "
                    + (d.errorMessage() != null ? d.errorMessage() : "no message");
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
