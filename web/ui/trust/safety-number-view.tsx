/** The safety number itself: 12 groups of five digits in 3 rows, and its QR code. */
import { Fragment } from 'preact';
import { groupSafetyDigits } from './safety-digits.ts';
import { tt } from './strings.ts';

export function SafetyNumberView(props: { digits: string; qrUrl: string }) {
  const groups = groupSafetyDigits(props.digits);
  return (
    <div class="trust-number">
      <img class="trust-qr" src={props.qrUrl} alt={tt('trust.qrCode')} width="192" height="192" />
      {/* Spaces between the groups keep the text "12345 67890 …" for copy and screen readers. */}
      {/* biome-ignore lint/a11y/useSemanticElements: a labelled group of text, not form fields. */}
      <div class="trust-digits" role="group" aria-label={tt('trust.safetyNumber')}>
        {groups.map((group, i) => (
          <Fragment key={i}>
            {i > 0 ? ' ' : null}
            <span class="trust-digit-group">{group}</span>
          </Fragment>
        ))}
      </div>
    </div>
  );
}
