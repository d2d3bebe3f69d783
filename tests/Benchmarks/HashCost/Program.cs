// The CPU cost of one password verification as the server does it: ASP.NET Core Identity's
// PasswordHasher (format V3) derives a 32-byte subkey with PBKDF2-HMAC-SHA512 over a 16-byte
// salt, Passwords:Iterations times, through KeyDerivation.Pbkdf2, which on .NET is
// Rfc2898DeriveBytes.Pbkdf2 (OpenSSL on Linux). Usage: dotnet HashCost.dll [iterations] [count]
// Prints the median, mean and minimum CPU microseconds of one hash as JSON (process CPU time,
// so a busy neighbour does not inflate it the way wall time would; 10 ms tick resolution, hence
// several samples).
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

var iterations = args.Length > 0 ? int.Parse(args[0]) : 210_000;
var count = args.Length > 1 ? int.Parse(args[1]) : 15;
var password = Encoding.UTF8.GetBytes("correct horse battery staple");
var salt = RandomNumberGenerator.GetBytes(16);

Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, 32); // warm-up
var samples = new List<double>();
var process = Process.GetCurrentProcess();
for (var i = 0; i < count; i++)
{
    process.Refresh();
    var before = process.TotalProcessorTime;
    Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, 32);
    process.Refresh();
    samples.Add((process.TotalProcessorTime - before).TotalMicroseconds);
}

samples.Sort();
Console.WriteLine($"{{\"iterations\":{iterations},\"count\":{count},\"medianCpuUs\":{samples[count / 2]:F0},\"meanCpuUs\":{samples.Average():F0},\"minCpuUs\":{samples[0]:F0}}}");
