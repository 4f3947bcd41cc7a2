using Xunit;

namespace Waybill.Tests.Support;

public static class Repository
{
    /// <summary>The source tree's root (where Waybill.slnx is), above the test binaries; the test is skipped when it is not there.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Waybill.slnx")))
            {
                return dir.FullName;
            }
        }
        Assert.Skip("The source tree is not above the test binaries (tests run from a copied build).");
        return "";
    }
}
