package dev.lockstep.steps.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** AWS failures as one line: the service's error code and message, not a stack trace. */
final class AwsErrors {
    private AwsErrors() {}

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
