using System.Text.Json;
using Rlhf.Core.Jobs;

namespace Rlhf.TrainerContracts;

/// <summary>One problem of a job spec's parameters, named as the trainer names it (<c>params.learningRate</c>).</summary>
public sealed record TrainerParamProblem(string Field, string Problem);

/// <summary>
/// The trainer's own parameter checks, callable without running the trainer: a job spec is bound and validated exactly
/// as its verb does (<see cref="JobParams"/> or <see cref="TrainerParams"/>, then the config's <c>Validate</c>), so the
/// API refuses at submission what the trainer would refuse hours later.
/// </summary>
public static class TrainerParamsCheck
{
    public static IReadOnlyList<TrainerParamProblem> Check(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            _ = spec.Verb switch
            {
                JobVerbs.Sft => (object)JobParams.Bind<SftConfig>(spec).Validate(hasPolicy: JobParams.OptionalInput(spec, JobInputs.Policy) is not null),
                JobVerbs.Sample => JobParams.Bind<SampleConfig>(spec).Validate(),
                JobVerbs.Evaluate => JobParams.Bind<EvaluateConfig>(spec).Validate(),
                JobVerbs.Reward => TrainerParams.Read<RewardConfig>(spec.Params),
                JobVerbs.Ppo => TrainerParams.Read<PpoConfig>(spec.Params),
                JobVerbs.Dpo => TrainerParams.Read<DpoConfig>(spec.Params),
                JobVerbs.Grpo => TrainerParams.Read<GrpoConfig>(spec.Params),
                JobVerbs.Rloo => TrainerParams.Read<RlooConfig>(spec.Params),
                _ => throw new JobSpecException("verb", $"'{spec.Verb}' is not a trainer verb"),
            };
            return [];
        }
        catch (JobSpecException e)
        {
            return [new TrainerParamProblem(e.Field, e.Message[e.Field.Length..].Trim())];
        }
        catch (ArgumentException e) when (e.InnerException is JsonException json)
        {
            var field = json.Path is null or "$" ? "params" : "params." + json.Path.TrimStart('$', '.');
            return [new TrainerParamProblem(field, "has the wrong type")];
        }
        catch (ArgumentException e)
        {
            // TrainerParams lists every problem, one "params.field problem" per line.
            var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            return [.. message.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Select(line =>
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                return space > 0 ? new TrainerParamProblem(line[..space], line[(space + 1)..]) : new TrainerParamProblem("params", line);
            })];
        }
    }
}
