namespace Waybill.Common;

/// <summary>Finds the reference data the product ships (<c>data/</c>), copied beside every build output.</summary>
public static class ReferenceData
{
    public static string Directory { get; } = Locate();

    public static string PathOf(params string[] parts) => Path.Combine([Directory, .. parts]);

    private static string Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "data");
        if (System.IO.Directory.Exists(beside))
        {
            return beside;
        }
        throw new DirectoryNotFoundException(
            $"Reference data not found at {beside}: the build copies data/ beside the executable; rebuild the project.");
    }
}
