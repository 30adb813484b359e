using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Rlhf.FunctionApp;

// The Azure Functions isolated worker: ASP.NET Core integration for the HTTP triggers (they return the
// Api's IResult), the artifact store, the activities' services and the Api's options, and telemetry
// (docs/telemetry.md).
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddRlhfFunctionApp(builder.Configuration);
builder.Services.AddRlhfFunctionAppTelemetry(builder.Configuration);
builder.Build().Run();
