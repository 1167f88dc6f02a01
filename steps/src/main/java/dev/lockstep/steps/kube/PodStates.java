package dev.lockstep.steps.kube;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/** Why a pod does not run, as the kubelet and the scheduler report it: shared by the steps that wait for pods (k8s.job, k8s.rollout). */
final class PodStates {
    private PodStates() {}

    /** A container that keeps crashing as the kubelet reports it: waiting to restart, its last run's exit in lastState. */
    record Crash(String pod, String container, Integer exitCode, String reason, int restarts, String waiting) {
        String describe() {
            return "pod " + pod + " container " + container + " " + waiting + ": last exit " + exitCode
                    + (reason != null ? " (" + reason + ")" : "") + ", restarted " + restarts + " time" + (restarts == 1 ? "" : "s");
        }
    }

    /** Why a container keeps restarting, when it does (CrashLoopBackOff with the last exit), or null. */
    static Crash crash(Pod p) {
        for (ContainerStatus cs : statuses(p)) {
            ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
            ContainerStateTerminated last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
            if (w != null && last != null && w.getReason() != null && !"ContainerCreating".equals(w.getReason())) {
                return new Crash(p.getMetadata().getName(), cs.getName(), last.getExitCode(), last.getReason(),
                        cs.getRestartCount() == null ? 0 : cs.getRestartCount(), w.getReason());
            }
        }
        return null;
    }

    /** Every container's status, init containers first: the one that matters is not always the first listed. */
    static List<ContainerStatus> statuses(Pod p) {
        List<ContainerStatus> out = new ArrayList<>();
        if (p.getStatus() == null) return out;
        if (p.getStatus().getInitContainerStatuses() != null) out.addAll(p.getStatus().getInitContainerStatuses());
        if (p.getStatus().getContainerStatuses() != null) out.addAll(p.getStatus().getContainerStatuses());
        return out;
    }

    /** Why a Pending pod waits, when Kubernetes says: unschedulable, or a container that cannot start. */
    static String pendingReason(Pod p) {
        if (p.getStatus() == null) return null;
        if (p.getStatus().getConditions() != null) {
            for (PodCondition c : p.getStatus().getConditions()) {
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && c.getReason() != null) {
                    return c.getReason() + (c.getMessage() != null ? " (" + c.getMessage() + ")" : "");
                }
            }
        }
        List<ContainerStatus> statuses = statuses(p);
        for (ContainerStatus cs : statuses) {
            ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
            if (w != null && w.getReason() != null && !"ContainerCreating".equals(w.getReason()) && !"PodInitializing".equals(w.getReason())) {
                return (statuses.size() > 1 ? "container " + cs.getName() + ": " : "") + w.getReason()
                        + (w.getMessage() != null ? " (" + w.getMessage() + ")" : "");
            }
        }
        return null;
    }

    /** The Warning events about an object (a pod, a Job), as "reason: message". */
    static List<String> warnings(KubernetesClient k, String ns, String object) {
        List<String> out = new ArrayList<>();
        for (Event e : k.v1().events().inNamespace(ns).withField("involvedObject.name", object).list().getItems()) {
            if ("Warning".equals(e.getType())) {
                String text = e.getReason() + ": " + e.getMessage();
                if (!out.contains(text)) out.add(text);
            }
        }
        return out;
    }
}
