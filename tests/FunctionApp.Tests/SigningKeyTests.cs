using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rlhf.Api.Labeling;
using Rlhf.Core.Labeling;

namespace Rlhf.FunctionApp.Tests;

/// <summary>
/// Where the Function App's label-link signing key comes from: <c>Rlhf:Labeling:TokenKey</c> (in Azure a Key Vault
/// reference), never a generated default outside Development; a missing or unusable key stops the app at start-up with
/// the setting's name. Development (<c>func start</c>) keeps the local host's generated key.
/// </summary>
public sealed class SigningKeyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlhf-fa-key-").FullName;

    [Fact]
    public async Task OutsideDevelopmentTheAppDoesNotStartWithoutAKeyAndGeneratesNone()
    {
        using var host = Build(Environments.Production, tokenKey: null);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'Rlhf:Labeling:TokenKey' (Rlhf__Labeling__TokenKey) is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("required outside Development", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, LabelTokenKey.DevKeyFileName)), "no key may be generated outside Development");
    }

    [Fact]
    public async Task AnUnresolvedKeyVaultReferenceIsNamedAtStartUp()
    {
        // What the app sees when App Service cannot resolve the reference (no Key Vault Secrets User role, wrong identity).
        using var host = Build(Environments.Production, "@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/rlhf-label-token-key)");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'Rlhf:Labeling:TokenKey' is an unresolved Key Vault reference", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyShorterThan32BytesIsRejectedAtStartUp()
    {
        using var host = Build(Environments.Production, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'Rlhf:Labeling:TokenKey' is not base64 of at least 32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheConfiguredKeySignsTheLinks()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var host = Build(Environments.Production, Convert.ToBase64String(key));
        await host.StartAsync();

        var token = host.Services.GetRequiredService<LabelTokens>().Issue("run-1", 0, "alice", TimeSpan.FromHours(1));

        Assert.True(new LabelTokens(key, TimeProvider.System).Verify(token).IsValid, "a second instance with the same configured key must accept the link");
        Assert.False(new LabelTokens(RandomNumberGenerator.GetBytes(32), TimeProvider.System).Verify(token).IsValid);
        Assert.False(File.Exists(Path.Combine(_root, LabelTokenKey.DevKeyFileName)));
        await host.StopAsync();
    }

    [Fact]
    public async Task DevelopmentKeepsTheGeneratedKeyOfTheLocalHost()
    {
        using var host = Build(Environments.Development, tokenKey: null);
        await host.StartAsync();

        var token = host.Services.GetRequiredService<LabelTokens>().Issue("run-1", 0, "alice", TimeSpan.FromHours(1));

        var keyFile = Path.Combine(_root, LabelTokenKey.DevKeyFileName);
        Assert.True(File.Exists(keyFile), "Development generates and keeps a key in the content root");
        Assert.True(new LabelTokens(Convert.FromBase64String(await File.ReadAllTextAsync(keyFile)), TimeProvider.System).Verify(token).IsValid);
        await host.StopAsync();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private IHost Build(string environment, string? tokenKey)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment, ContentRootPath = _root, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [FunctionAppSettings.StorageLocation] = Path.Combine(_root, "store"),
            [FunctionAppSettings.LabelingTokenKey] = tokenKey,
        });
        builder.Services.AddRlhfFunctionApp(builder.Configuration);
        return builder.Build();
    }
}
