/**
 * @module Pod spec validation (upstream ValidatePodSpec, the parts a user meets first):
 * containers, names, images, ports, restart policy, volumes and their mounts.
 */
import type { Container, PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { duplicate, invalid, notSupported, required, type FieldError } from '../field-error.ts';
import { dns1123LabelErrors, validateAnnotations, validateLabels } from './names.ts';

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const protocols = ['TCP', 'UDP', 'SCTP'];

function validateContainers(list: readonly Container[] | undefined, path: string, volumes: Set<string>, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  (list ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!c.name) errs.push(required(`${p}.name`));
    else {
      for (const e of dns1123LabelErrors(c.name)) errs.push(invalid(`${p}.name`, c.name, e));
      if (names.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
      names.add(c.name);
    }
    if (!c.image || !c.image.trim()) errs.push(required(`${p}.image`));
    if (c.imagePullPolicy && !pullPolicies.includes(c.imagePullPolicy)) errs.push(notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
    const portNames = new Set<string>();
    (c.ports ?? []).forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535)
        errs.push(invalid(`${pp}.containerPort`, port.containerPort, 'must be between 1 and 65535, inclusive'));
      if (port.protocol && !protocols.includes(port.protocol)) errs.push(notSupported(`${pp}.protocol`, port.protocol, protocols));
      if (port.name) {
        if (portNames.has(port.name)) errs.push(duplicate(`${pp}.name`, port.name));
        portNames.add(port.name);
      }
    });
    (c.volumeMounts ?? []).forEach((m, j) => {
      if (!m.name) errs.push(required(`${p}.volumeMounts[${j}].name`));
      else if (!volumes.has(m.name)) errs.push({ type: 'FieldValueNotFound', field: `${p}.volumeMounts[${j}].name`, value: m.name });
      if (!m.mountPath) errs.push(required(`${p}.volumeMounts[${j}].mountPath`));
    });
    (c.env ?? []).forEach((e, j) => {
      if (!e.name) errs.push(required(`${p}.env[${j}].name`));
    });
  });
  return errs;
}

export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  if (!spec) return [required(path)];
  const errs: FieldError[] = [];
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (!v.name) errs.push(required(`${path}.volumes[${i}].name`));
    else {
      for (const e of dns1123LabelErrors(v.name)) errs.push(invalid(`${path}.volumes[${i}].name`, v.name, e));
      if (volumes.has(v.name)) errs.push(duplicate(`${path}.volumes[${i}].name`, v.name));
      volumes.add(v.name);
    }
  });
  if (!spec.containers || spec.containers.length === 0) errs.push(required(`${path}.containers`));
  const names = new Set<string>();
  errs.push(...validateContainers(spec.initContainers, `${path}.initContainers`, volumes, names));
  errs.push(...validateContainers(spec.containers, `${path}.containers`, volumes, names));
  if (spec.restartPolicy && !restartPolicies.includes(spec.restartPolicy)) errs.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, restartPolicies));
  if (spec.dnsPolicy && !dnsPolicies.includes(spec.dnsPolicy)) errs.push(notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, dnsPolicies));
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0)
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds < 1)
    errs.push(invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  return errs;
}

export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (!t) return [required(path)];
  return [
    ...validateLabels(t.metadata?.labels, `${path}.metadata.labels`),
    ...validateAnnotations(t.metadata?.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(t.spec, `${path}.spec`),
  ];
}
