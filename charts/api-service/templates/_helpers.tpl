{{- define "api-service.fullname" -}}
{{- default .Release.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "api-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "api-service.fullname" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "api-service.labels" -}}
{{ include "api-service.selectorLabels" . }}
app: {{ include "api-service.fullname" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* By digest when one is set (immutable; the tag stays in the version label), else by tag. */}}
{{- define "api-service.image" -}}
{{- $tag := required "image.tag is required" .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{ printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else -}}
{{ printf "%s:%s" .Values.image.repository $tag }}
{{- end -}}
{{- end -}}

{{/* Pod Security "restricted": non-root, RuntimeDefault seccomp; UID/GID above 10000, clear of the node's users. */}}
{{- define "api-service.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The writable /tmp of every container, bounded so a pod cannot fill the node's disk. */}}
{{- define "api-service.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{/* Pod Security "restricted": no escalation, no capabilities, read-only root filesystem. */}}
{{- define "api-service.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "api-service.envFrom" -}}
- configMapRef:
    name: {{ include "api-service.fullname" . }}-env
{{- with .Values.secretName }}
- secretRef:
    name: {{ . }}
{{- end }}
{{- end -}}

{{/*
The JWKS directory as the app's tools/gen-jwks.mjs lays it out (runbook): jwks.json, <kid>/public.pem for
every published key and, for a service that signs, <kid>/private.pem of the current key from its own Secret.
*/}}
{{- define "api-service.jwksVolume" -}}
- name: jwks
  projected:
    defaultMode: 0440
    sources:
      - configMap:
          name: {{ include "api-service.fullname" . }}-tokens
          items:
            - key: jwks.json
              path: jwks.json
            {{- range $kid, $pem := .Values.jwksFiles.publicKeys }}
            - key: {{ $kid }}.public.pem
              path: {{ $kid }}/public.pem
            {{- end }}
      {{- with .Values.jwksFiles.privateKeySecret }}
      - secret:
          name: {{ . }}
          items:
            - key: {{ $.Values.jwksFiles.signingKid }}.private.pem
              path: {{ $.Values.jwksFiles.signingKid }}/private.pem
      {{- end }}
{{- end -}}

{{/* The database's CA bundle, read-only, where DATABASE_URL's sslrootcert points (pods that connect to the database). */}}
{{- define "api-service.databaseCaVolume" -}}
{{- with .Values.databaseCa }}
{{- if .configMap }}
- name: {{ .volumeName }}
  configMap:
    name: {{ .configMap }}
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "api-service.databaseCaMount" -}}
{{- with .Values.databaseCa }}
{{- if .configMap }}
- name: {{ .volumeName }}
  mountPath: {{ .mountPath }}
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{/*
A hook Job (migrations, seeds). Its env is inline and its secrets come from the existing Secret, so a
pre-install hook does not depend on the release's ConfigMap, which Helm creates later.
Arguments: dict "root" $ "hook" .Values.migrations "kind" "migrate"
*/}}
{{- define "api-service.hookJob" -}}
{{- $root := .root -}}
{{- $hook := .hook -}}
{{- $retry := $hook.retry.exponential -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "api-service.fullname" $root }}-{{ .kind }}-{{ $root.Release.Revision }}
  labels:
    {{- include "api-service.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .kind }}
  annotations:
    helm.sh/hook: {{ join "," $hook.when }}
    helm.sh/hook-weight: {{ $hook.weight | quote }}
    helm.sh/hook-delete-policy: before-hook-creation
spec:
  backoffLimit: {{ $hook.backoffLimit }}
  activeDeadlineSeconds: {{ $hook.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: {{ $hook.ttlSecondsAfterFinished }}
  template:
    metadata:
      labels:
        {{- include "api-service.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .kind }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      {{- with $root.Values.serviceAccountName }}
      serviceAccountName: {{ . }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $root.Values.shutdown.terminationGracePeriodSeconds }}
      securityContext:
        {{- include "api-service.podSecurityContext" $root | nindent 8 }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .kind }}
          image: {{ include "api-service.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          {{- if $retry.enabled }}
          command:
            - /bin/sh
            - -c
            - {{ $root.Files.Get "files/retry.sh" | quote }}
            - retry
            - {{ $retry.initialSeconds | quote }}
            - {{ $retry.maxSeconds | quote }}
            - {{ $retry.maxAttempts | quote }}
            - "--"
            {{- range $hook.command }}
            - {{ . | quote }}
            {{- end }}
          {{- else }}
          command:
            {{- toYaml $hook.command | nindent 12 }}
          {{- end }}
          {{- with $root.Values.env }}
          env:
            {{- range $key, $value := . }}
            - name: {{ $key }}
              value: {{ $value | quote }}
            {{- end }}
          {{- end }}
          {{- with $root.Values.secretName }}
          envFrom:
            - secretRef:
                name: {{ . }}
          {{- end }}
          resources:
            {{- toYaml $root.Values.resources | nindent 12 }}
          securityContext:
            {{- include "api-service.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- include "api-service.databaseCaMount" $root | nindent 12 }}
      volumes:
        {{- include "api-service.tmpVolume" $root | nindent 8 }}
        {{- include "api-service.databaseCaVolume" $root | nindent 8 }}
{{- end -}}

{{/*
The chart's AnalysisTemplate with the Service whose series it judges. Arguments: dict "root" $ "service" <name>
*/}}
{{- define "api-service.analysisRef" -}}
templates:
  - templateName: {{ include "api-service.fullname" .root }}-analysis
args:
  - name: namespace
    value: {{ .root.Release.Namespace }}
  - name: service
    value: {{ .service }}
{{- end -}}

{{/* The smoke test's pod: not the app's selector labels, so the Service never routes to it. */}}
{{- define "api-service.smokeLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: smoke
{{- end -}}
