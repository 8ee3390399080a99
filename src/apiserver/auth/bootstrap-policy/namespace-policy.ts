/**
 * @module The default namespaced Roles and RoleBindings (upstream bootstrappolicy/
 * namespace_policy.go): leader-locking and authentication-reader roles in kube-system, the
 * bootstrap signer's roles, and (as kubeadm and k3s clusters have) anonymous read of the
 * `kube-public/cluster-info` ConfigMap that joining agents read before they have credentials.
 */
import type { Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { eventsRule, read, role, roleBinding, rule, serviceAccount, users } from './helpers.ts';

const sys = 'kube-system';
const pub = 'kube-public';

export function namespacedRoles(): Role[] {
  return [
    role(sys, 'extension-apiserver-authentication-reader', [rule(read, [''], ['configmaps'], ['extension-apiserver-authentication'])]),
    role(sys, 'system::leader-locking-kube-controller-manager', [
      rule(['watch'], [''], ['configmaps']),
      rule(['get', 'update'], [''], ['configmaps'], ['kube-controller-manager']),
    ]),
    role(sys, 'system::leader-locking-kube-scheduler', [
      rule(['watch'], [''], ['configmaps']),
      rule(['get', 'update'], [''], ['configmaps'], ['kube-scheduler']),
    ]),
    role(sys, 'system:controller:bootstrap-signer', [rule(read, [''], ['secrets'])]),
    role(sys, 'system:controller:cloud-provider', [rule(['create', 'get', 'list', 'watch'], [''], ['configmaps'])]),
    role(sys, 'system:controller:token-cleaner', [rule(['delete', 'get', 'list', 'watch'], [''], ['secrets']), eventsRule()]),
    role(pub, 'system:controller:bootstrap-signer', [rule(read, [''], ['configmaps']), rule(['update'], [''], ['configmaps'], ['cluster-info']), eventsRule()]),
    role(pub, 'kubeadm:bootstrap-signer-clusterinfo', [rule(['get'], [''], ['configmaps'], ['cluster-info'])]),
  ];
}

export function namespacedRoleBindings(): RoleBinding[] {
  return [
    roleBinding(sys, 'system::extension-apiserver-authentication-reader', { kind: 'Role', name: 'extension-apiserver-authentication-reader' }, users('system:kube-controller-manager', 'system:kube-scheduler')),
    roleBinding(sys, 'system::leader-locking-kube-controller-manager', { kind: 'Role', name: 'system::leader-locking-kube-controller-manager' }, [
      ...users('system:kube-controller-manager'),
      serviceAccount(sys, 'kube-controller-manager'),
    ]),
    roleBinding(sys, 'system::leader-locking-kube-scheduler', { kind: 'Role', name: 'system::leader-locking-kube-scheduler' }, [
      ...users('system:kube-scheduler'),
      serviceAccount(sys, 'kube-scheduler'),
    ]),
    roleBinding(sys, 'system:controller:bootstrap-signer', { kind: 'Role', name: 'system:controller:bootstrap-signer' }, [serviceAccount(sys, 'bootstrap-signer')]),
    roleBinding(sys, 'system:controller:cloud-provider', { kind: 'Role', name: 'system:controller:cloud-provider' }, [serviceAccount(sys, 'cloud-provider')]),
    roleBinding(sys, 'system:controller:token-cleaner', { kind: 'Role', name: 'system:controller:token-cleaner' }, [serviceAccount(sys, 'token-cleaner')]),
    roleBinding(pub, 'system:controller:bootstrap-signer', { kind: 'Role', name: 'system:controller:bootstrap-signer' }, [serviceAccount(sys, 'bootstrap-signer')]),
    roleBinding(pub, 'kubeadm:bootstrap-signer-clusterinfo', { kind: 'Role', name: 'kubeadm:bootstrap-signer-clusterinfo' }, users('system:anonymous')),
  ];
}
