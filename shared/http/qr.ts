/**
 * QR codes as SVG. Uses the `qrcode` package's core encoder and SVG renderer directly: its server entry also
 * pulls in a PNG encoder (~30 KB) the app never uses, and the Lambda bundle has a size budget.
 */
// @ts-expect-error — deep imports of qrcode's CommonJS internals have no type declarations
import QRCore from 'qrcode/lib/core/qrcode.js';
// @ts-expect-error — see above
import SvgTag from 'qrcode/lib/renderer/svg-tag.js';

export function qrSvg(text: string, margin = 2): string {
  const data = QRCore.create(text, { errorCorrectionLevel: 'M' });
  return SvgTag.render(data, { margin, color: { dark: '#000000ff', light: '#ffffffff' } }) as string;
}
