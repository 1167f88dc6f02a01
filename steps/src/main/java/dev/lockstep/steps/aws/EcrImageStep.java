package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * {@code ecr.image}: whether an image tag (or digest) is in an ECR repository, with its digest
 * and every tag it has. Read-only: a precondition ("the image was pushed") that runs in
 * dry-run too.
 *
 * <pre>
 * check:
 *   - uses: ecr.image
 *     with: { repository: udab-server, tag: "stage-${{ params.sha }}" }
 * </pre>
 */
public final class EcrImageStep implements StepType<EcrImageStep.Config> {
    public record Config(
            @Key(value = "the ECR repository", required = true) String repository,
            @Key(value = "the tag (or sha256:digest)", required = true) String tag) {}

    @Override
    public String name() {
        return "ecr.image";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "whether a tag (or digest) is in a repository; read-only, a precondition";
    }

    @Override
    public String example() {
        return """
                check:
                  - uses: ecr.image
                    with: { repository: udab-server, tag: "stage-${{ params.sha }}" }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("exists", ResultShape.VALUE, "digest", ResultShape.VALUE, "tags", ResultShape.listOf(ResultShape.VALUE));
    }

    @Override
    public boolean readsOnly() {
        return true;
    }

    /** An image named by its tag, or by its digest when it is one (sha256:…). */
    static Consumer<ImageIdentifier.Builder> imageId(String tagOrDigest) {
        return id -> {
            if (tagOrDigest.startsWith("sha256:")) id.imageDigest(tagOrDigest);
            else id.imageTag(tagOrDigest);
        };
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("look for " + c.repository() + ":" + c.tag() + " in ECR");
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("exists", false);
        data.put("digest", null);
        data.put("tags", List.of());
        try {
            List<ImageDetail> found = AwsSession.of(ctx.settings()).ecr().describeImages(b -> b.repositoryName(c.repository())
                    .imageIds(imageId(c.tag()))).imageDetails();
            if (found.isEmpty()) return StepResult.failed("no image " + c.repository() + ":" + c.tag(), data);
            data.put("exists", true);
            data.put("digest", found.get(0).imageDigest());
            data.put("tags", found.get(0).imageTags());
            return StepResult.ok(c.repository() + ":" + c.tag() + " is " + found.get(0).imageDigest(), data);
        } catch (ImageNotFoundException | RepositoryNotFoundException e) {
            return StepResult.failed("no image " + c.repository() + ":" + c.tag() + " (" + e.awsErrorDetails().errorMessage() + ")", data);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }
}
