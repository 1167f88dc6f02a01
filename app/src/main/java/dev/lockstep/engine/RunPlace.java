package dev.lockstep.engine;

import java.util.Map;

/**
 * Where a run acts, recorded with it when it starts and whenever it is resumed: the place options
 * the command line gave ({@code --namespace}, {@code --context}, {@code --profile}, {@code --region}
 * …, by setting key) and, for each kind of place, what they resolved to once verified (the
 * kubeconfig context and namespace, the AWS account and region). A later command on the run uses
 * the same options and refuses to act anywhere else unless told to move it.
 */
public record RunPlace(Map<String, String> options, Map<String, Map<String, String>> where) {
    /** A run recorded by a lockstep that did not record places, or one with nowhere to act but here. */
    public static final RunPlace UNRECORDED = new RunPlace(null, null);

    public boolean recorded() {
        return options != null && where != null;
    }
}
