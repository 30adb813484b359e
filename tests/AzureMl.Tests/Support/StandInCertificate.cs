using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;

namespace Rlhf.AzureMl.Tests.Support;

/// <summary>
/// The stand-in's TLS: a self-signed certificate for 127.0.0.1 made by the test (Azure.Core's bearer-token policy refuses
/// plain HTTP, as it must), and a transport that trusts that one certificate and nothing else new: the machine's trust
/// store is left alone, and no other client of the test process trusts it.
/// </summary>
internal static class StandInCertificate
{
    public static X509Certificate2 Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=azureml-stand-in", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server auth
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel on Linux needs the key in a form it can load: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), password: null);
    }

    /// <summary>An Azure.Core transport whose TLS check accepts <paramref name="certificate"/> (by a chain rooted in it) besides the usual roots.</summary>
    public static HttpClientTransport TrustingTransport(X509Certificate2 certificate)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (presented is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
                {
                    return false; // a name mismatch or no certificate stays an error
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(certificate);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(presented);
            },
        };
        return new HttpClientTransport(handler);
    }
}
