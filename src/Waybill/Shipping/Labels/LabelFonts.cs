using PdfSharp.Fonts;
using Waybill.Common;

namespace Waybill.Shipping.Labels;

/// <summary>
/// PDFsharp finds no system fonts outside Windows: documents use DejaVu Sans, shipped in <c>data/fonts</c> and
/// embedded in every PDF. Installed once per process, before the first document.
/// </summary>
internal sealed class LabelFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";
    private static readonly Lock Gate = new();

    public static void Install()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not LabelFonts)
            {
                GlobalFontSettings.FontResolver = new LabelFonts();
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
        string.Equals(familyName, Family, StringComparison.OrdinalIgnoreCase)
            ? new FontResolverInfo(isBold ? Bold : Regular, false, isItalic)
            : null;

    public byte[]? GetFont(string faceName) => faceName switch
    {
        Regular or Bold => File.ReadAllBytes(ReferenceData.PathOf("fonts", faceName + ".ttf")),
        _ => null,
    };
}
