import { registry } from '@vss/contracts';
import type { Place } from '@vss/domain';

/** The permanent residence the registry knows (its last one, if cancelled), as a place. */
export function knownResidence(citizen: registry.Citizen): Place | undefined {
  const residence = citizen.permanentResidence;
  if (!residence?.provinceCode || residence.status === registry.ResidenceStatus.RESIDENCE_STATUS_NONE)
    return undefined;
  return { provinceCode: residence.provinceCode };
}
