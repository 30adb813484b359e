using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Rlhf.Api.Tests.Hostile;

/// <summary>
/// Hostile and careless requests, as a user (or a web page in the user's browser) would send them to <c>rlhf serve</c>.
/// Each is answered 4xx with a problem naming the field, and nothing is created.
/// </summary>
public static class HostileCorpus
{
    private const string Json = "application/json";

    public static IEnumerable<object[]> Cases() => All().Select(c => new object[] { c });

    public static IReadOnlyList<HostileRequest> All() =>
    [
        // --- JSON the readers would disagree on or choke on.
        HostileRequest.Raw("duplicate top-level key", "api/runs?runId=h-dup", """{"name":"a","name":"b"}""", Json, HttpStatusCode.BadRequest, "$", "h-dup"),
        HostileRequest.Raw("duplicate nested key", "api/runs?runId=h-dup2", HostileRequest.TinyText(t => t.Replace("\"k\":2", "\"k\":2,\"k\":3", StringComparison.Ordinal)), Json, HttpStatusCode.BadRequest, "$", "h-dup2"),
        new("invalid UTF-8", "POST", "api/runs?runId=h-utf8", [.. Encoding.UTF8.GetBytes("{\"name\":\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")], Json, HttpStatusCode.BadRequest, "$", "h-utf8"),
        HostileRequest.Raw("integer written 2.0", "api/runs?runId=h-int1", HostileRequest.TinyText(t => t.Replace("\"k\":2", "\"k\":2.0", StringComparison.Ordinal)), Json, HttpStatusCode.BadRequest, "$.sampling.k", "h-int1"),
        HostileRequest.Raw("integer written 4e0", "api/runs?runId=h-int2", HostileRequest.TinyText(t => t.Replace("\"shards\":2", "\"shards\":2e0", StringComparison.Ordinal)), Json, HttpStatusCode.BadRequest, "$.sampling.shards", "h-int2"),
        HostileRequest.Spec("fractional seed", s => s["seed"] = 1.5, "$.seed", "h-seed"),
        HostileRequest.Raw("body is an array", "api/runs?runId=h-arr", "[]", Json, HttpStatusCode.BadRequest, "$", "h-arr"),
        HostileRequest.Raw("body is a number", "api/runs?runId=h-num", "42", Json, HttpStatusCode.BadRequest, "$", "h-num"),
        HostileRequest.Raw("body is null", "api/runs?runId=h-null", "null", Json, HttpStatusCode.BadRequest, "$", "h-null"),
        HostileRequest.Raw("empty body", "api/runs?runId=h-empty", "", Json, HttpStatusCode.BadRequest, "$", "h-empty"),

        // --- Content types: a form post from a web page must not start a run.
        HostileRequest.Raw("text/plain body", "api/runs?runId=h-ct1", Rlhf.Tests.Hosting.LocalHostFixture.TinySpec, "text/plain", HttpStatusCode.UnsupportedMediaType, null, "h-ct1"),
        HostileRequest.Raw("form body", "api/runs?runId=h-ct2", "name=x", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, null, "h-ct2"),
        HostileRequest.Raw("no content type", "api/runs?runId=h-ct3", Rlhf.Tests.Hosting.LocalHostFixture.TinySpec, null, HttpStatusCode.UnsupportedMediaType, null, "h-ct3"),
        HostileRequest.Raw("JSON in UTF-16", "api/runs?runId=h-ct4", "{}", "application/json; charset=utf-16", HttpStatusCode.UnsupportedMediaType, null, "h-ct4"),

        // --- Specs that would choose where a secret goes, or name things that are not there.
        HostileRequest.Spec("judge endpoint in the spec", s => Judge(s)["azureOpenAi"] = new JsonObject { ["endpoint"] = "http://127.0.0.1:9/", ["deployment"] = "x" }, "$.labeling.ai.azureOpenAi.endpoint", "h-judge1"),
        HostileRequest.Spec("judge key setting in the spec", s => Judge(s)["azureOpenAi"] = new JsonObject { ["apiKeySetting"] = "AzureWebJobsStorage", ["deployment"] = "x" }, "$.labeling.ai.azureOpenAi.apiKeySetting", "h-judge2"),
        HostileRequest.Spec("judge deployment the host lacks", s => Judge(s)["azureOpenAi"] = new JsonObject { ["deployment"] = "gpt-4o" }, "$.labeling.ai.azureOpenAi.deployment", "h-judge3"),
        HostileRequest.Spec("judge with no deployment", s => Judge(s), "$.labeling.ai.azureOpenAi.deployment", "h-judge4"),
        HostileRequest.Spec("500,000-character deployment name", s => Judge(s)["azureOpenAi"] = new JsonObject { ["deployment"] = new string('d', 500_000) }, "$.labeling.ai.azureOpenAi.deployment", "h-judge5"),
        // --- constitution.supervised (SL-CAI): every field named at its path, the critic's deployment only by a host name.
        HostileRequest.Spec("SL-CAI critic endpoint in the spec", s => Cai(s)["azureOpenAi"] = new JsonObject { ["endpoint"] = "http://127.0.0.1:9/", ["deployment"] = "x" }, "$.constitution.supervised.azureOpenAi.endpoint", "h-cai1"),
        HostileRequest.Spec("SL-CAI critic deployment the host lacks", s => { Cai(s)["critic"] = "azureOpenAi"; Cai(s)["azureOpenAi"] = new JsonObject { ["deployment"] = "gpt-4o" }; }, "$.constitution.supervised.azureOpenAi.deployment", "h-cai2"),
        HostileRequest.Spec("SL-CAI chat critic with no deployment", s => Cai(s)["critic"] = "azureOpenAi", "$.constitution.supervised.azureOpenAi.deployment", "h-cai3"),
        HostileRequest.Spec("SL-CAI unknown critic", s => Cai(s)["critic"] = "gpt", "$.constitution.supervised.critic", "h-cai4"),
        HostileRequest.Spec("SL-CAI red-team prompts outside the store", s => Cai(s)["redTeamPrompts"] = "../../etc/passwd", "$.constitution.supervised.redTeamPrompts", "h-cai5"),
        HostileRequest.Spec("SL-CAI red-team prompts not in the store", s => Cai(s)["redTeamPrompts"] = "datasets/tiny/missing.jsonl", "$.constitution.supervised.redTeamPrompts", "h-cai6"),
        HostileRequest.Spec("SL-CAI prompts not in the store", s => Cai(s)["prompts"] = "datasets/none.jsonl", "$.constitution.supervised.prompts", "h-cai7"),
        HostileRequest.Spec("SL-CAI 100 rounds", s => Cai(s)["rounds"] = 100, "$.constitution.supervised.rounds", "h-cai8"),
        HostileRequest.Spec("SL-CAI zero candidates", s => Cai(s)["candidates"] = 0, "$.constitution.supervised.candidates", "h-cai9"),
        HostileRequest.Spec("SL-CAI negative prompt limit", s => Cai(s)["promptLimit"] = -1, "$.constitution.supervised.promptLimit", "h-cai10"),
        HostileRequest.Spec("SL-CAI every principle weight 0", s => Cai(s)["principles"] = new JsonObject { ["helpful"] = 0, ["harmless"] = 0, ["honest"] = 0 }, "$.constitution.supervised.principles", "h-cai11"),
        HostileRequest.Spec("SL-CAI fine-tune with an unknown parameter", s => Cai(s)["sft"] = new JsonObject { ["steps"] = 5, ["lernRate"] = 1 }, "$.constitution.supervised.sft.lernRate", "h-cai12"),
        HostileRequest.Spec("SL-CAI fine-tune that would replace the architecture", s => Cai(s)["sft"] = new JsonObject { ["model"] = new JsonObject { ["n_layer"] = 64 } }, "$.constitution.supervised.sft.model", "h-cai13"),
        HostileRequest.Spec("SL-CAI as a string", s => s["constitution"] = new JsonObject { ["supervised"] = "yes" }, "$.constitution.supervised", "h-cai14"),

        HostileRequest.Spec("notify setting that is not a setting name", s => s["labeling"]!["human"] = new JsonObject { ["notifyUrlSetting"] = "https://evil.example/hook" }, "$.labeling.human.notifyUrlSetting", "h-notify"),
        HostileRequest.Spec("train prompts not in the store", s => s["datasets"]!["trainPrompts"] = "datasets/tiny/nope.jsonl", "$.datasets.trainPrompts", "h-ds1"),
        HostileRequest.Spec("corpus not in the store", s => s["datasets"]!["corpus"] = "datasets/other/corpus.txt", "$.datasets.corpus", "h-ds2"),
        HostileRequest.Spec("held-out prompts not in the store", s => s["datasets"]!["heldOutPrompts"] = "datasets/x.jsonl", "$.datasets.heldOutPrompts", "h-ds3"),
        HostileRequest.Spec("lexicon folder that is empty", s => s["datasets"]!["lexicons"] = "datasets/none", "$.datasets.lexicons", "h-ds4"),
        HostileRequest.Spec("evaluation prompts not in the store", s => s["evaluation"]!["prompts"] = "datasets/eval.jsonl", "$.evaluation.prompts", "h-ds5"),
        HostileRequest.Spec("constitution not in the store", s => Judge(s, "constitution")["constitution"] = "docs/constitution.md", "$.labeling.ai.constitution", "h-ds6"),
        HostileRequest.Spec("checkpoint folder not in the store", s => s["basePolicy"] = new JsonObject { ["source"] = "checkpoint", ["checkpoint"] = "models/none" }, "$.basePolicy.checkpoint", "h-ds7"),
        HostileRequest.Spec("path with ..", s => s["datasets"]!["corpus"] = "datasets/../../etc/passwd", "$.datasets.corpus", "h-path1"),
        HostileRequest.Spec("absolute path", s => s["datasets"]!["corpus"] = "/etc/passwd", "$.datasets.corpus", "h-path2"),
        HostileRequest.Spec("URL as a path", s => s["datasets"]!["corpus"] = "https://evil.example/corpus.txt", "$.datasets.corpus", "h-path3"),
        HostileRequest.Spec("2,000-character path", s => s["datasets"]!["corpus"] = string.Join('/', Enumerable.Repeat("abcdefghij", 200)), "$.datasets.corpus", "h-path4"),
        HostileRequest.Spec("500,000-character name", s => s["name"] = new string('n', 500_000), "$.name", "h-name"),
        HostileRequest.Spec("500,000-character enum value", s => s["policy"]!["algorithm"] = new string('p', 500_000), "$.policy.algorithm", "h-enum"),
        HostileRequest.Spec("unknown top-level field", s => s["evil"] = true, "$.evil", "h-unknown"),

        // --- Trainer parameter blocks, bound at submission with the trainer's own records.
        HostileRequest.Spec("SFT steps 1e12", s => s["basePolicy"]!["sft"]!["steps"] = 1e12, "$.basePolicy.sft.steps", "h-tp1"),
        HostileRequest.Spec("SFT batch size 0", s => s["basePolicy"]!["sft"]!["batchSize"] = 0, "$.basePolicy.sft.batchSize", "h-tp2"),
        HostileRequest.Spec("SFT unknown model key", s => s["basePolicy"]!["sft"]!["model"]!["n_layers"] = 2, "$.basePolicy.sft.model.n_layers", "h-tp3"),
        HostileRequest.Spec("negative PPO learning rate", s => s["policy"]!["ppo"]!["learningRate"] = -0.001, "$.policy.ppo.learningRate", "h-tp4"),
        HostileRequest.Spec("unknown PPO parameter", s => s["policy"]!["ppo"]!["klCoef"] = 0.1, "$.policy.ppo.klCoef", "h-tp5"),
        HostileRequest.Spec("PPO parameter of the wrong type", s => s["policy"]!["ppo"]!["whitenAdvantages"] = "yes", "$.policy.ppo.whitenAdvantages", "h-tp6"),
        HostileRequest.Spec("unknown DPO parameter", s => s["policy"]!["dpo"] = new JsonObject { ["betta"] = 0.1 }, "$.policy.dpo.betta", "h-tp7"),
        HostileRequest.Spec("negative reward-model learning rate", s => s["rewardModel"]!["params"]!["learningRate"] = -1, "$.rewardModel.params.learningRate", "h-tp8"),
        HostileRequest.Spec("evaluation parameter out of range", s => s["evaluation"]!["params"] = new JsonObject { ["entropyCollapseRatio"] = 2 }, "$.evaluation.params.entropyCollapseRatio", "h-tp9"),
        HostileRequest.Spec("negative GRPO beta", s => s["policy"]!["grpo"] = new JsonObject { ["beta"] = -0.1 }, "$.policy.grpo.beta", "h-tp10"),
        HostileRequest.Spec("unknown GRPO loss type", s => s["policy"]!["grpo"] = new JsonObject { ["lossType"] = "ppo" }, "$.policy.grpo.lossType", "h-tp11"),
        HostileRequest.Spec("RLOO with one completion per prompt", s => s["policy"]!["rloo"] = new JsonObject { ["numGenerations"] = 1 }, "$.policy.rloo.numGenerations", "h-tp12"),
        HostileRequest.Spec("unknown reward source", s => s["policy"]!["ppo"]!["rewards"] = new JsonArray(new JsonObject { ["kind"] = "vibes" }), "$.policy.ppo.rewards[0].kind", "h-tp13"),
        HostileRequest.Spec("ROUGE-L reward source without references", s => s["policy"]!["ppo"]!["rewards"] = new JsonArray(new JsonObject { ["kind"] = "rougeL" }), "$.policy.ppo.rewards[0].kind", "h-tp14"),
        HostileRequest.Spec("reward ensemble of no heads", s => s["rewardModel"]!["params"]!["ensembleSize"] = 0, "$.rewardModel.params.ensembleSize", "h-tp15"),
        HostileRequest.Spec("unknown PPO keepBest", s => s["policy"]!["ppo"]!["keepBest"] = "luck", "$.policy.ppo.keepBest", "h-tp16"),
        HostileRequest.Spec("negative GRPO uncertainty penalty", s => s["policy"]!["grpo"] = new JsonObject { ["uncertaintyPenalty"] = -1 }, "$.policy.grpo.uncertaintyPenalty", "h-tp17"),
        HostileRequest.Spec("uncertainty penalty without a reward ensemble", s => s["policy"]!["ppo"]!["uncertaintyPenalty"] = 0.5, "$.policy.ppo.uncertaintyPenalty", "h-tp18"),
        HostileRequest.Spec("PPO held-out KL budget of zero", s => s["policy"]!["ppo"]!["heldoutMaxKl"] = 0, "$.policy.ppo.heldoutMaxKl", "h-tp19"),
        HostileRequest.Spec("PPO distinct floor of 1.5", s => s["policy"]!["ppo"]!["heldoutMinDistinctRatio"] = 1.5, "$.policy.ppo.heldoutMinDistinctRatio", "h-tp22"),
        HostileRequest.Spec("RLOO held-out checks of no prompts", s => s["policy"]!["rloo"] = new JsonObject { ["heldoutEvery"] = 5, ["heldoutPrompts"] = 0 }, "$.policy.rloo.heldoutPrompts", "h-tp20"),
        HostileRequest.Spec("GRPO keeping the best by gold without lexicons", s =>
        {
            s["policy"]!["algorithm"] = "grpo";
            s["policy"]!["grpo"] = new JsonObject { ["heldoutEvery"] = 5, ["keepBest"] = "gold", ["maxPromptTokens"] = 32, ["maxNewTokens"] = 32 };
            s["datasets"]!["lexicons"] = null;
        }, "$.policy.grpo.keepBest", "h-tp21"),
        HostileRequest.Spec("references that do not exist", s => s["datasets"]!["references"] = "datasets/none/references.jsonl", "$.datasets.references", "h-ds-ref"),
        HostileRequest.Spec("GRPO tokens beyond the model's context", s =>
        {
            s["policy"]!["algorithm"] = "grpo";
            s["policy"]!["grpo"] = new JsonObject { ["maxPromptTokens"] = 64, ["maxNewTokens"] = 64 };
        }, "$.policy.grpo.maxNewTokens", "h-ctx3"),
        HostileRequest.Spec("PPO tokens beyond the model's context", s => s["policy"]!["ppo"]!["maxNewTokens"] = 64, "$.policy.ppo.maxNewTokens", "h-ctx1"),
        HostileRequest.Spec("sampled tokens fill the model's context", s => s["sampling"]!["maxNewTokens"] = 96, "$.sampling.maxNewTokens", "h-ctx2"),

        // --- Azure ML: a host without it refuses the runner; compute.azureml goes into ARM URL paths and a command line.
        HostileRequest.Spec("azureml runner on a host without Azure ML", s => s["compute"]!["runner"] = "azureml", "$.compute.runner", "h-aml1"),
        HostileRequest.Spec("azureml section with the local runner", s => s["compute"]!["azureml"] = new JsonObject { ["workspace"] = "mlw-x" }, "$.compute.azureml", "h-aml2"),
        HostileRequest.Spec("ARM endpoint in the spec", s => AzureMl(s)["endpoint"] = "https://evil.example/", "$.compute.azureml.endpoint", "h-aml3"),
        HostileRequest.Spec("workspace that walks the ARM path", s => AzureMl(s)["workspace"] = "mlw/../../../providers/Microsoft.Storage/storageAccounts/st", "$.compute.azureml.workspace", "h-aml4"),
        HostileRequest.Spec("subscription that is not a GUID", s => AzureMl(s)["subscriptionId"] = "00000000-0000-0000-0000-000000000000?x=", "$.compute.azureml.subscriptionId", "h-aml5"),
        HostileRequest.Spec("image with a shell command", s => AzureMl(s)["image"] = "cr.azurecr.io/t:1 && curl evil.example", "$.compute.azureml.image", "h-aml6"),
        HostileRequest.Spec("timeout of a year", s => AzureMl(s)["timeout"] = "P365D", "$.compute.azureml.timeout", "h-aml7"),
        HostileRequest.Spec("500,000-character compute name", s => AzureMl(s)["compute"] = new string('c', 500_000), "$.compute.azureml.compute", "h-aml8"),

        // --- Ids and tokens.
        HostileRequest.Raw("nightly run id", $"api/runs?runId=nightly-20300101T020000Z", Rlhf.Tests.Hosting.LocalHostFixture.TinySpec, Json, HttpStatusCode.BadRequest, "?runId", "nightly-20300101T020000Z"),
        HostileRequest.Raw("nightly run id, other case", "api/runs?runId=NIGHTLY-x", Rlhf.Tests.Hosting.LocalHostFixture.TinySpec, Json, HttpStatusCode.BadRequest, "?runId", "NIGHTLY-x"),
        HostileRequest.Raw("garbage continuation token", "api/runs?continuationToken=garbage", "", null, HttpStatusCode.BadRequest, "?continuationToken", method: "GET"),
        HostileRequest.Raw("forged continuation token", "api/runs?continuationToken=eyJhIjoxfQ.AAAA", "", null, HttpStatusCode.BadRequest, "?continuationToken", method: "GET"),

        // --- Reuse, rerun and compare (docs/reuse.md).
        HostileRequest.Raw("reuse flag that is not a boolean", "api/runs?runId=h-reuse&reuse=maybe", Rlhf.Tests.Hosting.LocalHostFixture.TinySpec, Json, HttpStatusCode.BadRequest, "?reuse", "h-reuse"),
        HostileRequest.Spec("spec reuse that is not a boolean", s => s["reuse"] = "no", "$.reuse", "h-reuse2"),
        HostileRequest.Raw("rerun from a stage that does not exist", "api/runs/h-any/rerun?runId=h-rr1", """{"from":"sft"}""", Json, HttpStatusCode.BadRequest, "$.from", "h-rr1"),
        HostileRequest.Raw("rerun without a stage", "api/runs/h-any/rerun?runId=h-rr2", """{"set":{"seed":2}}""", Json, HttpStatusCode.BadRequest, "$.from", "h-rr2"),
        HostileRequest.Raw("rerun setting a path that is no path", "api/runs/h-any/rerun?runId=h-rr3", """{"from":"policy","set":{"policy..ppo":1}}""", Json, HttpStatusCode.BadRequest, "$.set['policy..ppo']", "h-rr3"),
        HostileRequest.Raw("rerun with an unknown field", "api/runs/h-any/rerun?runId=h-rr4", """{"from":"policy","force":true}""", Json, HttpStatusCode.BadRequest, "$.force", "h-rr4"),
        HostileRequest.Raw("rerun with set as a list", "api/runs/h-any/rerun?runId=h-rr5", """{"from":"policy","set":["seed=2"]}""", Json, HttpStatusCode.BadRequest, "$.set", "h-rr5"),
        HostileRequest.Raw("rerun as text/plain", "api/runs/h-any/rerun?runId=h-rr6", """{"from":"policy"}""", "text/plain", HttpStatusCode.UnsupportedMediaType, null, "h-rr6"),
        HostileRequest.Raw("compare one run", "api/runs/compare?ids=h-a", "", null, HttpStatusCode.BadRequest, "?ids", method: "GET"),
        HostileRequest.Raw("compare no runs", "api/runs/compare", "", null, HttpStatusCode.BadRequest, "?ids", method: "GET"),
        HostileRequest.Raw("compare nine runs", "api/runs/compare?ids=a,b,c,d,e,f,g,h,i", "", null, HttpStatusCode.BadRequest, "?ids", method: "GET"),
        HostileRequest.Raw("compare an id that is no id", "api/runs/compare?ids=h-a,..%2Fetc", "", null, HttpStatusCode.BadRequest, "?ids", method: "GET"),
        HostileRequest.Raw("compare a run twice", "api/runs/compare?ids=h-a,h-a", "", null, HttpStatusCode.BadRequest, "?ids", method: "GET"),
        HostileRequest.Raw("compare page of one run", "api/runs/compare/report?ids=h-a", "", null, HttpStatusCode.BadRequest, "?ids", method: "GET"),

        // --- Labeling links and submissions.
        HostileRequest.Raw("label links of a child orchestration", "api/runs/h-run:labels/label-links", """{"labelers":["alice"]}""", Json, HttpStatusCode.NotFound, null),
        HostileRequest.Raw("label links body is an array", "api/runs/h-run/label-links", """["alice"]""", Json, HttpStatusCode.BadRequest, "$"),
        HostileRequest.Raw("label links body is a string", "api/runs/h-run/label-links", "\"alice\"", Json, HttpStatusCode.BadRequest, "$"),
        HostileRequest.Raw("label links duplicate key", "api/runs/h-run/label-links", """{"labelers":["a"],"labelers":["b"]}""", Json, HttpStatusCode.BadRequest, "$"),
        HostileRequest.Raw("label links unknown field", "api/runs/h-run/label-links", """{"labelers":["a"],"admin":true}""", Json, HttpStatusCode.BadRequest, "$['admin']"),
        HostileRequest.Raw("label links batches not an array", "api/runs/h-run/label-links", """{"labelers":["a"],"batches":3}""", Json, HttpStatusCode.BadRequest, "$.batches"),
        HostileRequest.Raw("label links ttl 1.5", "api/runs/h-run/label-links", """{"labelers":["a"],"ttlMinutes":1.5}""", Json, HttpStatusCode.BadRequest, "$.ttlMinutes"),
        HostileRequest.Raw("label links as text/plain", "api/runs/h-run/label-links", """{"labelers":["a"]}""", "text/plain", HttpStatusCode.UnsupportedMediaType, null),
        HostileRequest.Raw("submission duplicate key", "api/label/submissions", """{"token":"a","token":"b","answers":[]}""", Json, HttpStatusCode.BadRequest, "$"),
        new("submission invalid UTF-8", "POST", "api/label/submissions", [.. Encoding.UTF8.GetBytes("{\"token\":\""), 0xFF, .. Encoding.UTF8.GetBytes("\"}")], Json, HttpStatusCode.BadRequest, "$"),

        // --- Another origin or another host name (DNS rebinding) in the user's browser.
        new("foreign Host on a read", "GET", "api/runs", null, null, HttpStatusCode.BadRequest, "Host", Headers: new Dictionary<string, string> { ["Host"] = "evil.example" }),
        new("foreign Host on a start", "POST", "api/runs?runId=h-host", Encoding.UTF8.GetBytes(Rlhf.Tests.Hosting.LocalHostFixture.TinySpec), Json, HttpStatusCode.BadRequest, "Host", "h-host", new Dictionary<string, string> { ["Host"] = "rebind.evil.example:80" }),
        new("cross-origin start", "POST", "api/runs?runId=h-origin", Encoding.UTF8.GetBytes(Rlhf.Tests.Hosting.LocalHostFixture.TinySpec), Json, HttpStatusCode.Forbidden, null, "h-origin", new Dictionary<string, string> { ["Origin"] = "https://evil.example" }),
        new("null origin start", "POST", "api/runs?runId=h-origin2", Encoding.UTF8.GetBytes(Rlhf.Tests.Hosting.LocalHostFixture.TinySpec), Json, HttpStatusCode.Forbidden, null, "h-origin2", new Dictionary<string, string> { ["Origin"] = "null" }),
        new("cross-site start (Sec-Fetch-Site)", "POST", "api/runs?runId=h-site", Encoding.UTF8.GetBytes(Rlhf.Tests.Hosting.LocalHostFixture.TinySpec), Json, HttpStatusCode.Forbidden, null, "h-site", new Dictionary<string, string> { ["Sec-Fetch-Site"] = "cross-site" }),
        new("cross-site cancel", "POST", "api/runs/h-any/cancel", null, null, HttpStatusCode.Forbidden, null, Headers: new Dictionary<string, string> { ["Sec-Fetch-Site"] = "same-site" }),
        new("cross-origin purge", "DELETE", "api/runs/h-any", null, null, HttpStatusCode.Forbidden, null, Headers: new Dictionary<string, string> { ["Origin"] = "http://localhost.evil.example" }),
    ];

    /// <summary>The spec's <c>compute.azureml</c> section, with the azureml runner.</summary>
    private static JsonObject AzureMl(JsonObject spec)
    {
        spec["compute"]!["runner"] = "azureml";
        var section = new JsonObject();
        spec["compute"]!["azureml"] = section;
        return section;
    }

    /// <summary>The spec's AI labeling block, switched to <paramref name="judge"/> (mode ai).</summary>
    private static JsonObject Cai(JsonObject spec)
    {
        var constitution = spec["constitution"] as JsonObject ?? (JsonObject)(spec["constitution"] = new JsonObject());
        return constitution["supervised"] as JsonObject ?? (JsonObject)(constitution["supervised"] = new JsonObject());
    }

    private static JsonObject Judge(JsonObject spec, string judge = "azureOpenAi")
    {
        var labeling = spec["labeling"]!.AsObject();
        labeling["mode"] = "ai";
        var ai = new JsonObject { ["judge"] = judge };
        labeling["ai"] = ai;
        return ai;
    }
}
