# The storage guide's static NFS PersistentVolume and its claim, as a `stowage run` script.
kubectl create namespace production
cat <<'YAML' > pv-nfs.yaml
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-nfs-data
  labels:
    type: nfs
    environment: production
spec:
  capacity:
    storage: 100Gi
  accessModes:
    - ReadWriteMany
  persistentVolumeReclaimPolicy: Retain
  nfs:
    server: 10.0.1.50
    path: /exports/data
  mountOptions:
    - hard
    - nfsvers=4.1
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-claim
  namespace: production
spec:
  accessModes:
    - ReadWriteMany
  resources:
    requests:
      storage: 50Gi
  selector:
    matchLabels:
      type: nfs
      environment: production
YAML
kubectl apply -f pv-nfs.yaml
kubectl get pv
kubectl get pvc -n production
kubectl describe pv pv-nfs-data | grep -A5 "Claim"
kubectl delete pvc data-claim -n production
kubectl get pv
